Module Program
    Sub Main()
        Throw New InvalidOperationException("boom")
    End Sub
End Module
