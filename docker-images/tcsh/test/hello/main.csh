echo "hello, world"
@ sum = 0
foreach i (`seq 10`)
  @ sum += $i
end
echo "sum 1..10 = $sum"
