(format t "hello, world~%")
(format t "sum 1..10 = ~d~%" (loop for i from 1 to 10 sum i))
