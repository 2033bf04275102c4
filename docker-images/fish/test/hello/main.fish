echo "hello, world"
set sum 0
for i in (seq 10)
    set sum (math $sum + $i)
end
echo "sum 1..10 = $sum"
