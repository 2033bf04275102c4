(define (average lst) (/ (apply + lst) (length lst)))
(println "average of nothing")
(println (average '()))
