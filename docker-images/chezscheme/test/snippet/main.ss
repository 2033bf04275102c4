(define-record-type point (fields x y))

(define (distance p q)
  (let ([dx (- (point-x p) (point-x q))]
        [dy (- (point-y p) (point-y q))])
    (sqrt (+ (* dx dx) (* dy dy)))))

(define (fact n)
  (if (zero? n) 1 (* n (fact (- n 1)))))

(printf "distance: ~a~%" (distance (make-point 0 0) (make-point 3 4)))
(printf "20! = ~a~%" (fact 20))

(define squares (map (lambda (x) (* x x)) (iota 6)))
(printf "squares: ~a~%" squares)
(printf "sum: ~a~%" (fold-left + 0 squares))
(for-each (lambda (s) (printf "~a " (string-upcase s))) '("chez" "scheme"))
(newline)
