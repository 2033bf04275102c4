let x: int = "text"
printfn "%d" x
