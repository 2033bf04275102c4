using QuickTry.Sandbox.Containers;
using QuickTry.Sandbox.Languages;

namespace QuickTry.Sandbox.Pool;

/// <summary>How many sandboxes of which kinds a language keeps: the sizing policy, from the settings alone.</summary>
internal sealed class PoolSizing(PoolOptions pool, IsolationOptions isolation, SandboxOptions sandbox)
{
    /// <summary>
    /// The kinds kept per language: both isolations under the language's runtime and under each runtime
    /// plans ask for. Kinds no configuration names (another runtime a plan asks for) get a pool on first use.
    /// </summary>
    public IEnumerable<SandboxKind> KindsToKeep(LanguageDefinition language) =>
        sandbox.PlanRuntimes.Prepend(sandbox.RuntimeFor(language.Name, null))
            .Distinct(StringComparer.Ordinal)
            .SelectMany(runtime => new[] { new SandboxKind(Isolation.Slot, runtime), new SandboxKind(Isolation.Container, runtime) });

    /// <summary>The kind of sandbox a language's runs get when no plan asks for another.</summary>
    public SandboxKind DefaultKind(string language) => new(isolation.For(language), sandbox.RuntimeFor(language, null));

    /// <summary>Warm target and idle cap of a pool.</summary>
    public (int Target, int MaxIdle) Sizes(string language, SandboxKind kind)
    {
        var warm = pool.WarmTarget(language);
        // Warm ones for the isolation the language's runs get; for the other, only what plans need.
        var target = isolation.For(language) == kind.Isolation ? warm
            : kind.Isolation == Isolation.Container ? Math.Min(isolation.WarmContainersForSlotLanguages, warm)
            : 0;
        var maxIdle = kind.Isolation == Isolation.Slot
            ? Math.Max(target, isolation.MaxIdleSlotsPerLanguage ?? pool.MaxConcurrentRuns)
            : target;
        return (target, maxIdle);
    }

    /// <summary>The warm target of a language's default kind, for a language without a pool yet.</summary>
    public int WarmTarget(string language) => pool.WarmTarget(language);
}
