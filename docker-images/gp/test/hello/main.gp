print("hello, world");
print("sum 1..10 = ", sum(i = 1, 10, i));
