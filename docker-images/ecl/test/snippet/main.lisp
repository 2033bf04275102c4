(defclass shape () ())
(defclass circle (shape) ((radius :initarg :radius :reader radius)))
(defclass rect (shape) ((w :initarg :w :reader w) (h :initarg :h :reader h)))

(defgeneric area (shape))
(defmethod area ((c circle)) (* pi (radius c) (radius c)))
(defmethod area ((r rect)) (* (w r) (h r)))

(dolist (s (list (make-instance 'circle :radius 1) (make-instance 'rect :w 2 :h 3)))
  (format t "~a: ~,2f~%" (class-name (class-of s)) (area s)))

(let ((table (make-hash-table :test #'equal)))
  (dolist (word '("a" "b" "a" "c" "a"))
    (incf (gethash word table 0)))
  (format t "a appears ~d times~%" (gethash "a" table)))

(format t "~{~a~^ ~}~%" (loop for i from 1 to 5 collect (* i i)))
(format t "~@r~%" 2024)
