(define (sum-to n)
  (let loop ((i 1) (acc 0))
    (if (> i n) acc (loop (+ i 1) (+ acc i)))))

(display "hello, world")
(newline)
(display "sum 1..10 = ")
(display (sum-to 10))
(newline)
