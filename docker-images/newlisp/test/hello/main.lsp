(println "hello, world")
(println "sum 1..10 = " (apply + (sequence 1 10)))
