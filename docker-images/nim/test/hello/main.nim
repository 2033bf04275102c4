var total = 0
for i in 1..10:
  total += i
echo "hello, world"
echo total
