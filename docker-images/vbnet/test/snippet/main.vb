Imports System.Text

Module Program
    Class Employee
        Public Property Name As String
        Public Property Department As String
        Public Property Salary As Decimal
    End Class

    Function Initials(name As String) As String
        Dim sb As New StringBuilder()
        For Each part In name.Split(" "c)
            sb.Append(part(0))
        Next
        Return sb.ToString()
    End Function

    Sub Main()
        Dim staff As New List(Of Employee) From {
            New Employee With {.Name = "Alan Turing", .Department = "Research", .Salary = 5200D},
            New Employee With {.Name = "Joan Clarke", .Department = "Research", .Salary = 4800D},
            New Employee With {.Name = "Tommy Flowers", .Department = "Engineering", .Salary = 4500D}
        }

        Dim byDepartment = From e In staff
                           Group e By e.Department Into Total = Sum(e.Salary), Count()
                           Order By Department

        For Each d In byDepartment
            Console.WriteLine($"{d.Department}: {d.Count} people, {d.Total:F2} a month")
        Next

        For i As Integer = 0 To staff.Count - 1
            If staff(i).Salary > 4600D Then
                Console.WriteLine(String.Format("{0}. {1} ({2})", i + 1, staff(i).Name, Initials(staff(i).Name)))
            End If
        Next
    End Sub
End Module
