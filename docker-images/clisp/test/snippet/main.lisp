(defstruct person name age)

(defparameter *people*
  (list (make-person :name "Alice" :age 30)
        (make-person :name "Bob" :age 25)
        (make-person :name "Carol" :age 35)))

(defun oldest (people)
  (reduce (lambda (a b) (if (> (person-age a) (person-age b)) a b)) people))

(dolist (p (sort (copy-list *people*) #'< :key #'person-age))
  (format t "~a is ~d~%" (person-name p) (person-age p)))

(format t "Oldest: ~a~%" (person-name (oldest *people*)))
(format t "Squares: ~{~a~^, ~}~%" (mapcar (lambda (x) (* x x)) '(1 2 3 4 5)))
(format t "~r~%" 42)
