using System.Diagnostics;

namespace QuickTry.Testing;

/// <summary>
/// The tests' one way to wait for what happens on its own time (a service answering, executors announced,
/// a container gone, submissions ended): poll until it holds, and fail naming what did not happen within
/// the bound and what was seen last. A probe that throws fails the wait at once (a process that exited);
/// one that may meet a not-yet-listening service returns "not yet" itself.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Polls <paramref name="probe"/> until <paramref name="done"/> holds for what it returned, and returns that.</summary>
    public static async Task<T> ReturnsAsync<T>(string what, Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, TimeSpan? every = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }
            if (clock.Elapsed >= timeout)
            {
                throw new TimeoutException($"{what}: not within {timeout.TotalSeconds:0.#} s (last seen: {Describe(value)})");
            }
            await Task.Delay(every ?? DefaultInterval);
        }
    }

    /// <summary>Polls <paramref name="condition"/> until it holds.</summary>
    public static Task HoldsAsync(string what, Func<Task<bool>> condition, TimeSpan timeout, TimeSpan? every = null) =>
        ReturnsAsync(what, condition, held => held, timeout, every);

    private static string Describe<T>(T value) => value switch
    {
        null => "nothing",
        string text => text.Length == 0 ? "an empty answer" : text,
        System.Collections.IEnumerable items => string.Join(", ", items.Cast<object?>()),
        _ => value.ToString() ?? "",
    };
}
