echo "hello, world"
var sum = 0
for i [(range 1 11)] {
  set sum = (+ $sum $i)
}
echo "sum 1..10 = "$sum
