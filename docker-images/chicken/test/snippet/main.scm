(import (chicken format)
        (chicken string))

(define (fib n)
  (if (< n 2)
      n
      (+ (fib (- n 1)) (fib (- n 2)))))

(define (range from to)
  (if (>= from to)
      '()
      (cons from (range (+ from 1) to))))

(for-each (lambda (n) (printf "fib(~a) = ~a~%" n (fib n)))
          (range 0 5))

(define evens (map (lambda (x) (* 2 x)) (range 0 5)))
(print "evens: " evens)
(print "sum of squares: " (foldl + 0 (map (lambda (x) (* x x)) evens)))
(print (string-intersperse (map number->string (reverse evens)) ", "))
