fun sumTo 0 = 0
  | sumTo n = n + sumTo (n - 1);

val () = print "hello, world\n";
val () = print ("sum 1..10 = " ^ Int.toString (sumTo 10) ^ "\n");
