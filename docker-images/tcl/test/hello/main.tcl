set total 0
for {set i 1} {$i <= 10} {incr i} { incr total $i }
puts "hello, world"
puts $total
