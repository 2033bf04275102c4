(print "hello, world")
(var sum 0)
(for [i 1 10]
  (set sum (+ sum i)))
(print (string.format "sum 1..10 = %d" sum))
