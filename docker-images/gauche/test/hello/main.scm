(print "hello, world")
(print "sum 1..10 = " (apply + (iota 10 1)))
