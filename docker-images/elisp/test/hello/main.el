(princ "hello, world\n")
(princ (format "sum 1..10 = %d\n" (apply #'+ (number-sequence 1 10))))
