puts "hello, world"
set sum 0
foreach i [range 1 11] {
    incr sum $i
}
puts "sum 1..10 = $sum"
