let rec factorial n =
  if n <= 1 then 1 else n * factorial (n - 1)

type shape =
  | Circle of float
  | Rectangle of float * float

let area = function
  | Circle r -> 3.14159 *. r *. r
  | Rectangle (w, h) -> w *. h

let () =
  List.iter (fun n -> Printf.printf "%d! = %d\n" n (factorial n)) [1; 5; 10];
  let shapes = [Circle 1.0; Rectangle (2.0, 3.5)] in
  List.iter (fun s -> Printf.printf "area: %.2f\n" (area s)) shapes;
  let evens = List.filter (fun x -> x mod 2 = 0) [1; 2; 3; 4; 5; 6] in
  print_endline (String.concat ", " (List.map string_of_int evens));
  match List.assoc_opt "b" [("a", 1); ("b", 2)] with
  | Some v -> Printf.printf "b -> %d\n" v
  | None -> print_endline "not found"
