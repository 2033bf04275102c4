
namespace QuickTry.Client;

/// <summary>What each language is, as <c>GET /languages</c> (the executor's and the API's) and the editor show it.</summary>
/// <param name="Name">The name runs use.</param>
/// <param name="DisplayName">The name people know it by.</param>
/// <param name="Version">The toolchain's version.</param>
/// <param name="Aliases">Other names a run may use.</param>
/// <param name="Compiled">Whether runs have a compile step.</param>
/// <param name="SourceFile">The main file's name in the sandbox.</param>
/// <param name="Available">Whether its image is present and runs can be served now.</param>
/// <param name="Limits">The defaults a run gets under <see cref="Runtime"/>, the runtime it gets when its plan names none.</param>
/// <param name="MaxLimits">The most a run may ask for.</param>
/// <param name="Example">A starter snippet.</param>
/// <param name="Language">
/// The language this is a version of: what <c>lang</c> names with a <c>version</c>. Equal to <paramref name="Name"/>
/// when the language has one version.
/// </param>
/// <param name="Libraries">What the image offers beyond the language's standard library (e.g. <c>numpy</c>).</param>
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
    LanguageExample? Example,
    string Language,
    IReadOnlyList<string> Libraries)
{
    /// <summary>
    /// The OCI runtime a run of this language gets when its caller's plan names none, as the engine names it:
    /// <c>runc</c> (the engine's own) or <c>runsc</c> (gVisor).
    /// </summary>
    public string Runtime { get; init; } = "runc";

    /// <summary>
    /// The defaults a run gets under each runtime the executor offers: under gVisor, for one, the time
    /// limits are a configured factor longer, since every process starts several times slower there.
    /// </summary>
    public IReadOnlyDictionary<string, AppliedLimits> LimitsByRuntime { get; init; } = new Dictionary<string, AppliedLimits>();

    /// <summary>The defaults a run gets under <paramref name="runtime"/> (its plan's), or under <see cref="Runtime"/> when null.</summary>
    public AppliedLimits LimitsUnder(string? runtime) =>
        runtime is not null && LimitsByRuntime.TryGetValue(runtime, out var limits) ? limits : Limits;
}

/// <summary>A starter snippet: the language's <c>test/hello</c> program and its stdin.</summary>
/// <param name="Code">The program.</param>
/// <param name="Stdin">What it reads, if anything.</param>
public sealed record LanguageExample(string Code, string? Stdin);
