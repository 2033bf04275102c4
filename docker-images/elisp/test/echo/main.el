;; In batch mode read-from-minibuffer reads a line of stdin; at its end it signals an error.
(condition-case nil
    (while t
      (princ (read-from-minibuffer ""))
      (princ "\n"))
  (error nil))
