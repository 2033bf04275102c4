(fn fib [n]
  (if (< n 2)
      n
      (+ (fib (- n 1)) (fib (- n 2)))))

(local fibs (icollect [i (ipairs [1 2 3 4 5 6 7 8])] (fib i)))
(print (table.concat fibs ", "))

(local person {:name "Ada" :langs ["Lua" "Fennel"]})
(print (.. person.name " knows " (length person.langs) " languages"))

(each [i lang (ipairs person.langs)]
  (print (string.format "%d. %s" i (lang:upper))))

(let [counts {}]
  (each [word (string.gmatch "a b a c b a" "%a+")]
    (tset counts word (+ 1 (or (. counts word) 0))))
  (print (.. "a=" counts.a " b=" counts.b " c=" counts.c)))
