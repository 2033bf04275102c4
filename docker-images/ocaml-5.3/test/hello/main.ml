let () =
  print_endline "hello, world";
  print_int (List.fold_left ( + ) 0 (List.init 10 (fun i -> i + 1)));
  print_newline ()
