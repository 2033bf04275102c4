(format t "hello, world~%")
(format t "~a~%" (loop for i from 1 to 10 sum i))
