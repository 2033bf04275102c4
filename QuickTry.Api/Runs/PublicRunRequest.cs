using System.Text.Json.Serialization;
using QuickTry.Executor.Runs;

namespace QuickTry.Api.Runs;

/// <summary>
/// The body of <c>POST /run</c>. Besides the current names it accepts those the original QuickTry used:
/// <c>language</c> for <c>lang</c> and <c>params</c> for <c>stdin</c>.
/// </summary>
public record PublicRunRequest
{
    /// <summary>Language name or alias, e.g. <c>python3</c>, <c>py</c>, <c>js</c>.</summary>
    public string? Lang { get; init; }

    /// <summary>Synonym of <see cref="Lang"/>.</summary>
    public string? Language { get; init; }

    public string? Code { get; init; }

    public string? Stdin { get; init; }

    /// <summary>Synonym of <see cref="Stdin"/>.</summary>
    [JsonPropertyName("params")]
    public string? Params { get; init; }

    public IReadOnlyList<string?>? Args { get; init; }

    public IReadOnlyList<RunFile?>? Files { get; init; }

    public RequestedLimits? Limits { get; init; }

    /// <summary>The language asked for, whichever name carried it.</summary>
    [JsonIgnore]
    public string? EffectiveLang => string.IsNullOrWhiteSpace(Lang) ? Language : Lang;

    public RunRequest ToExecutorRequest(string lang) => new()
    {
        Lang = lang,
        Code = Code,
        Stdin = Stdin ?? Params,
        Args = Args,
        Files = Files,
        Limits = Limits,
    };
}
