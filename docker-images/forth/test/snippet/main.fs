\ Factorial, recursively
: fact ( n -- n! )
  dup 1 > if dup 1- recurse * else drop 1 then ;

\ FizzBuzz
: fizzbuzz ( n -- )
  1+ 1 do
    i 15 mod 0= if ." FizzBuzz" else
    i 3 mod 0= if ." Fizz" else
    i 5 mod 0= if ." Buzz" else
    i .
    then then then cr
  loop ;

: squares ( n -- )  0 do i dup * . loop cr ;

5 fact . cr
15 fizzbuzz
5 squares
