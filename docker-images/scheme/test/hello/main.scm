(display "hello, world")
(newline)
(display (apply + (iota 10 1)))
(newline)
