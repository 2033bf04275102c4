(defn fib [n]
  (if (< n 2)
      n
      (+ (fib (- n 1)) (fib (- n 2)))))

(for [i (range 10)]
  (print f"fib({i}) = {(fib i)}"))

(setv fruits ["apple" "banana" "cherry"])
(print (.join ", " (lfor f fruits (.upper f))))

(defclass Dog []
  (defn __init__ [self name]
    (setv self.name name))
  (defn speak [self]
    (+ self.name " says woof")))

(print (.speak (Dog "Rex")))
