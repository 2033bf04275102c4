(defn divide [a b] (/ a b))
(print (divide 1 0))
