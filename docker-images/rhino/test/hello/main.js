var sum = 0;
for (var i = 1; i <= 10; i++) sum += i;
print("hello, world");
print("sum 1..10 = " + sum);
