datatype shape = Circle of real | Rect of real * real

fun area (Circle r) = Math.pi * r * r
  | area (Rect (w, h)) = w * h

fun describe s =
  case s of
      Circle r => "circle of radius " ^ Real.fmt (StringCvt.FIX (SOME 1)) r
    | Rect (w, h) => "rectangle " ^ Real.toString w ^ "x" ^ Real.toString h

val shapes = [Circle 1.0, Rect (2.0, 3.5), Circle 2.5]

val _ = List.app (fn s =>
  print (describe s ^ ": " ^ Real.fmt (StringCvt.FIX (SOME 2)) (area s) ^ "\n")) shapes

fun fact 0 = 1
  | fact n = n * fact (n - 1)

val _ = print (String.concatWith " " (List.map (Int.toString o fact) [1, 2, 3, 4, 5]) ^ "\n")
val total = foldl (op +) 0 [1, 2, 3, 4, 5]
val _ = print ("total: " ^ Int.toString total ^ "\n")
