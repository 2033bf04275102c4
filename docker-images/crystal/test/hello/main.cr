puts "hello, world"
puts "sum 1..10 = #{(1..10).sum}"
