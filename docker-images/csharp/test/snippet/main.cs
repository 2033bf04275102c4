var orders = new List<Order>
{
    new("Ada", "keyboard", 2, 49.90m),
    new("Grace", "monitor", 1, 199.00m),
    new("Ada", "mouse", 3, 19.99m),
    new("Linus", "keyboard", 1, 49.90m),
};

var totals = orders
    .GroupBy(o => o.Customer)
    .Select(g => (Customer: g.Key, Total: g.Sum(o => o.Quantity * o.Price)))
    .OrderByDescending(t => t.Total);

foreach (var (customer, total) in totals)
{
    Console.WriteLine($"{customer,-6} {total,8:F2}");
}

var best = orders.MaxBy(o => o.Quantity * o.Price)!;
Console.WriteLine($"Largest order: {best.Quantity} x {best.Item} for {best.Customer}");
Console.WriteLine(best with { Quantity = 0 });

record Order(string Customer, string Item, int Quantity, decimal Price);
