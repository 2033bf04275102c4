;;; Word counts with a hash table, then some list processing

(require 'cl-lib)
(require 'subr-x)

(defun count-words-in (text)
  "Return an alist of (WORD . COUNT) for TEXT, most frequent first."
  (let ((table (make-hash-table :test 'equal))
        result)
    (dolist (word (split-string (downcase text) "[^a-z]+" t))
      (puthash word (1+ (gethash word table 0)) table))
    (maphash (lambda (k v) (push (cons k v) result)) table)
    (sort result (lambda (a b) (or (> (cdr a) (cdr b))
                                   (and (= (cdr a) (cdr b)) (string< (car a) (car b))))))))

(dolist (pair (cl-subseq (count-words-in "The cat and the hat and the bat") 0 3))
  (princ (format "%-4s %d\n" (car pair) (cdr pair))))

(let ((squares (mapcar (lambda (n) (* n n)) (number-sequence 1 5))))
  (princ (format "squares: %s\n" squares))
  (princ (format "sum: %d\n" (cl-reduce #'+ squares))))

(princ (concat (string-join (reverse '("c" "b" "a")) "-") "\n"))
