print "hello, world"
integer sum=0
for (( i = 1; i <= 10; i++ )); do
  (( sum += i ))
done
print "sum 1..10 = $sum"
