(println "hello, world")
(println (str "sum 1..10 = " (reduce + (range 1 11))))
