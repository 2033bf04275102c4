using QuickTry.Protocol;
using QuickTry.Sandbox.Judging;
using QuickTry.Sandbox.Languages;

namespace QuickTry.Sandbox.Runs;

/// <summary>A request that passed validation, with its language resolved, its runtime chosen and its limits applied.</summary>
public sealed record PreparedRun(
    LanguageDefinition Language,
    string Code,
    string Stdin,
    IReadOnlyList<string> Args,
    IReadOnlyList<(string Name, string Content)> Files,
    AppliedLimits Limits,
    string Runtime = SandboxRuntimes.Runc,
    JudgedCases? Judged = null);
