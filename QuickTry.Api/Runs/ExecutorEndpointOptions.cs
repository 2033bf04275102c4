namespace QuickTry.Api.Runs;

/// <summary>
/// The executors this replica can call directly (section <c>Executor</c>): <see cref="BaseUrl"/> and any
/// <see cref="BaseUrls"/>. Used when the run queue is off or Redis is down, and for the language list.
/// </summary>
public sealed class ExecutorEndpointOptions
{
    public const string Section = "Executor";

    /// <summary>One executor (service discovery name or address); <c>http://executor</c> when neither is set.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>More executors, e.g. one per host (<c>Executor:BaseUrls:0</c>, <c>:1</c>, ...).</summary>
    public List<string> BaseUrls { get; set; } = [];

    private int _turn;

    /// <summary>Every configured executor, starting with the next in turn, so direct runs are spread.</summary>
    public IReadOnlyList<Uri> InTurn()
    {
        var all = BaseUrls.Prepend(BaseUrl ?? "").Where(u => !string.IsNullOrWhiteSpace(u)).Distinct().Select(u => new Uri(u)).ToList();
        if (all.Count == 0)
        {
            return [new Uri("http://executor")];
        }
        var first = (int)((uint)Interlocked.Increment(ref _turn) % (uint)all.Count);
        return [.. all.Skip(first), .. all.Take(first)];
    }
}
