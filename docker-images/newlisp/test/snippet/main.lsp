#!/usr/bin/env newlisp

(define (fib n)
  (if (< n 2) n
      (+ (fib (- n 1)) (fib (- n 2)))))

(println (map fib (sequence 0 10)))

(set 'words (parse "the quick brownish fox jumps over the lazy dog" " "))
(println "longest: " (first (sort words (fn (a b) (> (length a) (length b))))))
(println "count of 'the': " (length (find-all "the" words)))

(dolist (w '("apple" "kiwi" "banana"))
  (println (format "%-8s %2d" w (length w))))

(println (upper-case (join (reverse (explode "lisp")))))
(exit)
