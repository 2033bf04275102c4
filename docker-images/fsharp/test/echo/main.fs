let rec echo () =
    match stdin.ReadLine() with
    | null -> ()
    | line ->
        printfn "%s" line
        echo ()

echo ()
