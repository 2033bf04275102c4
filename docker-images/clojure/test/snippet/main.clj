(ns example.core
  (:require [clojure.string :as str]))

(defn word-frequencies [text]
  (->> (str/split (str/lower-case text) #"\W+")
       (remove str/blank?)
       frequencies
       (sort-by (juxt (comp - val) key))))

(def text "The quick brown fox jumps over the lazy dog. The dog sleeps.")

(doseq [[word n] (take 3 (word-frequencies text))]
  (println (format "%-5s %d" word n)))

(defn fizzbuzz [n]
  (cond
    (zero? (mod n 15)) "FizzBuzz"
    (zero? (mod n 3)) "Fizz"
    (zero? (mod n 5)) "Buzz"
    :else n))

(println (str/join " " (map fizzbuzz (range 1 16))))
(println (->> (range 10) (filter even?) (map #(* % %)) (reduce +)))
