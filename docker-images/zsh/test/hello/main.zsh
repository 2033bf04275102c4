print "hello, world"
integer sum=0
for i in {1..10}; do (( sum += i )); done
print "sum 1..10 = $sum"
