using Microsoft.Extensions.Options;
using QuickTry.Sandbox.Runs;

namespace QuickTry.Sandbox.Containers;

/// <summary>
/// How runs are isolated from each other (section <c>Executor:Isolation</c>). <c>slot</c>: a long-lived
/// sandbox serves up to <see cref="SlotRuns"/> runs one after another, each as a fresh uid, wiped and
/// verified in between. <c>container</c>: a fresh container per run, removed afterwards. The strictest of
/// <see cref="Default"/>, the language's entry in <see cref="ByLanguage"/> and the caller's plan applies.
/// </summary>
public sealed class IsolationOptions
{
    public const string Section = "Executor:Isolation";

    public Isolation Default { get; set; } = Isolation.Slot;

    /// <summary>Per-language isolation, e.g. <c>{"java": "container"}</c>.</summary>
    public Dictionary<string, Isolation> ByLanguage { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Runs one slot serves before it is replaced (each with its own uid).</summary>
    public int SlotRuns { get; set; } = 200;

    /// <summary>Age after which a slot is replaced, however few runs it served.</summary>
    public int SlotMaxAgeSeconds { get; set; } = 600;

    /// <summary>
    /// Idle slots kept per language after a burst, beyond the warm target (they are what lets a burst
    /// run without creating containers); unset means as many as runs may execute at once.
    /// </summary>
    public int? MaxIdleSlotsPerLanguage { get; set; }

    /// <summary>
    /// Warm one-run containers kept per language whose isolation is <c>slot</c>, for callers whose plan
    /// asks for <c>container</c>, at most the language's warm target (0: such runs start their own container).
    /// </summary>
    public int WarmContainersForSlotLanguages { get; set; }

    /// <summary>The isolation a run gets: the strictest of the default, the language's and the plan's.</summary>
    public Isolation For(string language, Isolation? plan)
    {
        var isolation = Default;
        if (ByLanguage.TryGetValue(language, out var byLanguage))
        {
            isolation = Stricter(isolation, byLanguage);
        }
        return plan is { } p ? Stricter(isolation, p) : isolation;
    }

    /// <summary>The isolation a language's runs get when no plan asks for more.</summary>
    public Isolation For(string language) => For(language, null);

    private static Isolation Stricter(Isolation a, Isolation b) => a == Isolation.Container || b == Isolation.Container ? Isolation.Container : Isolation.Slot;
}

internal sealed class IsolationOptionsValidator : IValidateOptions<IsolationOptions>
{
    public ValidateOptionsResult Validate(string? name, IsolationOptions options)
    {
        var failures = new List<string>();
        if (options.SlotRuns is < 1 or > 10_000)
        {
            failures.Add($"{IsolationOptions.Section}:SlotRuns must be 1..10000 (is {options.SlotRuns}).");
        }
        if (options.SlotMaxAgeSeconds is < 10 or > 86_400)
        {
            failures.Add($"{IsolationOptions.Section}:SlotMaxAgeSeconds must be 10..86400 (is {options.SlotMaxAgeSeconds}).");
        }
        if (options.MaxIdleSlotsPerLanguage is < 0 or > 256)
        {
            failures.Add($"{IsolationOptions.Section}:MaxIdleSlotsPerLanguage must be 0..256 (is {options.MaxIdleSlotsPerLanguage}).");
        }
        if (options.WarmContainersForSlotLanguages is < 0 or > 64)
        {
            failures.Add($"{IsolationOptions.Section}:WarmContainersForSlotLanguages must be 0..64 (is {options.WarmContainersForSlotLanguages}).");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
