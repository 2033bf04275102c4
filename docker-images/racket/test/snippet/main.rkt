#lang racket

(define (fib n)
  (if (< n 2)
      n
      (+ (fib (- n 1)) (fib (- n 2)))))

(struct point (x y) #:transparent)

(for ([i (in-range 10)])
  (printf "~a " (fib i)))
(newline)

(define pts (list (point 1 2) (point 3 4)))
(displayln (map point-x pts))
(displayln (for/list ([p pts]) (+ (point-x p) (point-y p))))
(displayln (string-join (map string-upcase '("a" "b" "c")) "-"))
(println (point 5 6))

(match (point 7 8)
  [(point x y) (printf "x=~a y=~a\n" x y)])
