using System;
using System.Linq;

class Program
{
    static void Main()
    {
        Console.WriteLine("hello, world");
        Console.WriteLine(Enumerable.Range(1, 10).Sum());
    }
}
