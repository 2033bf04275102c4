printfn "hello, world"
printfn "%d" (List.sum [1..10])
