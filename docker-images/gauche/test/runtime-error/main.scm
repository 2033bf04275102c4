(define (first-item lst) (car lst))
(print "taking the first item of an empty list")
(print (first-item '()))
