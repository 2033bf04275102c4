(define (factorial n)
  (if (= n 0)
      1
      (* n (factorial (- n 1)))))

(define (sum-list lst)
  (if (null? lst)
      0
      (+ (car lst) (sum-list (cdr lst)))))

(display (factorial 10))
(newline)
(display (map (lambda (x) (* x x)) '(1 2 3 4 5)))
(newline)
(display (sum-list '(1 2 3 4 5)))
(newline)

(let loop ((i 0))
  (when (< i 3)
    (display "i = ")
    (display i)
    (newline)
    (loop (+ i 1))))

(define-syntax swap!
  (syntax-rules ()
    ((_ a b) (let ((tmp a)) (set! a b) (set! b tmp)))))
(define x 1)
(define y 2)
(swap! x y)
(display (list x y))
(newline)
