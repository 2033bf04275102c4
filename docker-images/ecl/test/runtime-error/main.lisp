(defun average (numbers)
  (/ (reduce #'+ numbers) (length numbers)))
(format t "average of nothing~%")
(print (average '()))
