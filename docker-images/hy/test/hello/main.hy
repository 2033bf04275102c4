(print "hello, world")
(print (.format "sum 1..10 = {}" (sum (range 1 11))))
