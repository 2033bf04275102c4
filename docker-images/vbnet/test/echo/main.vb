Module Program
    Sub Main()
        Dim line As String = Console.ReadLine()
        While line IsNot Nothing
            Console.WriteLine(line)
            line = Console.ReadLine()
        End While
    End Sub
End Module
