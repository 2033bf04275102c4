local sum = 0
for i = 1, 10 do sum = sum + i end
print("hello, world")
print(string.format("sum 1..10 = %d", sum))
