type Shape =
    | Circle of radius: float
    | Rectangle of width: float * height: float
    | Triangle of a: float * b: float * c: float

let area shape =
    match shape with
    | Circle r -> System.Math.PI * r * r
    | Rectangle (w, h) -> w * h
    | Triangle (a, b, c) ->
        let s = (a + b + c) / 2.0
        sqrt (s * (s - a) * (s - b) * (s - c))

let describe = function
    | Circle r -> sprintf "circle r=%g" r
    | Rectangle (w, h) -> sprintf "rectangle %gx%g" w h
    | Triangle (a, b, c) -> sprintf "triangle %g-%g-%g" a b c

let shapes = [ Circle 1.0; Rectangle (2.0, 3.5); Triangle (3.0, 4.0, 5.0) ]

shapes
|> List.map (fun s -> s, area s)
|> List.sortByDescending snd
|> List.iter (fun (s, a) -> printfn "%-18s %6.2f" (describe s) a)

let total = shapes |> List.sumBy area
printfn "total area: %.3f" total

[1..20]
|> List.filter (fun n -> n % 3 = 0)
|> List.map (fun n -> n * n)
|> List.fold (+) 0
|> printfn "sum of squares of multiples of 3: %d"
