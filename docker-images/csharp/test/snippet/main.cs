using System;
using System.Collections.Generic;
using System.Linq;

namespace ConsoleApp1
{
    class Program
    {
        static void Main(string[] args)
        {
            var numbers = new List<int> { 5, 3, 8, 1, 9, 2 };
            var evens = numbers.Where(n => n % 2 == 0).OrderBy(n => n).ToList();
            Console.WriteLine("Evens: " + string.Join(", ", evens));

            var squares = numbers.Select(n => n * n);
            Console.WriteLine("Sum of squares: {0}", squares.Sum());

            var words = new[] { "apple", "banana", "avocado", "cherry" };
            foreach (var g in words.GroupBy(w => w[0]))
            {
                Console.WriteLine($"{g.Key}: {string.Join(", ", g)} ({g.Count()})");
            }

            var longest = (from w in words orderby w.Length descending select w).First();
            Console.WriteLine("Longest: " + longest);
            Console.WriteLine("Max: {0}, Average: {1:F2}", numbers.Max(), numbers.Average());
        }
    }
}
