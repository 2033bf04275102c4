fun safeDiv (_, 0) = raise Fail "division by zero"
  | safeDiv (a, b) = a div b;

val () = print (Int.toString (safeDiv (10, 0)) ^ "\n");
