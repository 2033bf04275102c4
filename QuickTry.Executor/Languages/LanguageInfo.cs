using QuickTry.Executor.Runs;

namespace QuickTry.Executor.Languages;

/// <summary>What each language is, as <c>GET /languages</c> (the executor's and the API's) and the editor show it.</summary>
public sealed record LanguageInfo(
    string Name,
    string DisplayName,
    string Version,
    IReadOnlyList<string> Aliases,
    bool Compiled,
    string SourceFile,
    bool Available,
    AppliedLimits Limits,
    AppliedLimits MaxLimits,
    LanguageExample? Example);

/// <summary>A starter snippet: the language's <c>test/hello</c> program and its stdin.</summary>
public sealed record LanguageExample(string Code, string? Stdin);
