(defun square (x)
  (* x x))

(defun fizzbuzz (n)
  (cond ((zerop (mod n 15)) "FizzBuzz")
        ((zerop (mod n 3)) "Fizz")
        ((zerop (mod n 5)) "Buzz")
        (t n)))

(format t "~{~a~^ ~}~%" (mapcar #'square '(1 2 3 4 5)))
(format t "~{~a~^ ~}~%" (loop for i from 1 to 15 collect (fizzbuzz i)))

(let ((evens (remove-if-not #'evenp '(1 2 3 4 5 6))))
  (format t "Sum of evens ~a: ~d~%" evens (reduce #'+ evens)))

(defparameter *ages* (make-hash-table :test 'equal))
(setf (gethash "alice" *ages*) 30)
(setf (gethash "bob" *ages*) 25)
(format t "bob is ~a~%" (gethash "bob" *ages*))

(dolist (word '("lisp" "is" "fun"))
  (format t "~:(~a~)~%" word))
