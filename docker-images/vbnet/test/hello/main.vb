Module Program
    Sub Main()
        Console.WriteLine("hello, world")
        Console.WriteLine(Enumerable.Range(1, 10).Sum())
    End Sub
End Module
