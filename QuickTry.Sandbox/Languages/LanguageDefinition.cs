using System.Text.Json.Serialization;

namespace QuickTry.Sandbox.Languages;

/// <summary>
/// One language, as described by <c>docker-images/&lt;name&gt;/language.json</c>. Commands are argument
/// arrays run inside the sandbox's work directory; the user's arguments follow the run command.
/// </summary>
public sealed record LanguageDefinition
{
    public required string Name { get; init; }

    public string? DisplayName { get; init; }

    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>
    /// The language this folder is a version of (e.g. <c>python3</c> for <c>python3-3.13</c>); unset, the
    /// folder is a language of its own. Every version is its own folder and image, so adding one touches one place.
    /// </summary>
    [JsonPropertyName("language")]
    public string? VersionOf { get; init; }

    /// <summary>What <c>lang</c> names together with a <c>version</c>: the language this is a version of, or its own name.</summary>
    [JsonIgnore]
    public string Family => VersionOf ?? Name;

    /// <summary>What the image offers beyond the standard library, as <c>GET /languages</c> lists it.</summary>
    public IReadOnlyList<string> Libraries { get; init; } = [];

    /// <summary>Name the user's code is saved under (e.g. <c>main.py</c>, <c>Main.java</c>).</summary>
    public required string SourceFile { get; init; }

    public IReadOnlyList<string>? Compile { get; init; }

    public required IReadOnlyList<string> Run { get; init; }

    /// <summary>Per-language defaults that replace the global ones (JVM memory, Go compile time, ...).</summary>
    public LanguageLimits Limits { get; init; } = new();

    [JsonIgnore]
    public bool IsCompiled => Compile is { Count: > 0 };

    /// <summary>A starter snippet: the language's <c>test/hello</c> program and its stdin.</summary>
    [JsonIgnore]
    public LanguageExample? Example { get; init; }

    /// <summary>Folder the definition was read from; holds the Dockerfile and the test program.</summary>
    [JsonIgnore]
    public string Directory { get; init; } = "";
}

/// <summary>Overrides of the default limits for one language; null means "use the global default".</summary>
public sealed record LanguageLimits
{
    public int? TimeMs { get; init; }
    public int? CompileTimeMs { get; init; }
    public int? MemoryMb { get; init; }
    public int? Pids { get; init; }
}
