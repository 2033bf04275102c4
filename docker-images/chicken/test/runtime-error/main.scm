(define (first-item lst) (car lst))
(display "taking the first item of an empty list")
(newline)
(display (first-item '()))
