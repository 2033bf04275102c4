Module Program
    Sub Main()
        Dim x As Integer = "text"
        Console.WriteLine(x.Lenght)
    End Sub
End Module
