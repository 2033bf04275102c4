using System.Text;
using Microsoft.Extensions.Options;
using QuickTry.Sandbox.Judging;
using QuickTry.Sandbox.Languages;
using QuickTry.Sandbox.Containers;

namespace QuickTry.Sandbox.Runs;

/// <summary>
/// Turns a request into a <see cref="PreparedRun"/> or a set of errors keyed by field, the shape of a
/// validation problem. Limits above their ceiling are refused, not clamped, so a client learns its bound.
/// It also decides the runtime a run gets, since the default time limits depend on it.
/// </summary>
public sealed class RunValidator(
    LanguageCatalog languages,
    IOptions<LimitsOptions> limitsOptions,
    IToolchainVersions? versions = null,
    IOptions<SandboxOptions>? sandboxOptions = null)
{
    private readonly LimitsOptions _limits = limitsOptions.Value;
    private readonly SandboxOptions _sandbox = sandboxOptions?.Value ?? new SandboxOptions();

    /// <summary>Prepares a run with the sandbox's own runtime choice (no caller plan).</summary>
    public bool TryPrepare(RunRequest request, out PreparedRun run, out Dictionary<string, string[]> errors) =>
        TryPrepare(request, planRuntime: null, out run, out errors);

    /// <param name="planRuntime">The runtime the caller's plan names; when set it decides.</param>
    public bool TryPrepare(RunRequest request, string? planRuntime, out PreparedRun run, out Dictionary<string, string[]> errors)
    {
        errors = [];
        run = null!;
        var e = errors;
        void Error(string field, string message) =>
            e[field] = e.TryGetValue(field, out var existing) ? [.. existing, message] : [message];

        foreach (var (field, error) in RequestRules.Violations(request))
        {
            Error(field, error);
        }

        LanguageDefinition? language = null;
        if (!string.IsNullOrWhiteSpace(request.EffectiveLang))
        {
            language = languages.Resolve(request.EffectiveLang, request.Version, l => versions?.VersionOf(l.Name), out var error);
            if (error is { } refused)
            {
                Error(refused.Field, refused.Message);
            }
        }

        if (request.Code is not null && Encoding.UTF8.GetByteCount(request.Code) > _limits.MaxCodeBytes)
        {
            Error("code", $"Code is larger than {_limits.MaxCodeBytes} bytes.");
        }

        var stdin = request.EffectiveStdin ?? "";
        if (Encoding.UTF8.GetByteCount(stdin) > _limits.MaxStdinBytes)
        {
            Error("stdin", $"Stdin is larger than {_limits.MaxStdinBytes} bytes.");
        }

        var args = new List<string>();
        if (request.Args is { } requestArgs)
        {
            if (requestArgs.Count > _limits.MaxArgs)
            {
                Error("args", $"At most {_limits.MaxArgs} arguments are allowed.");
            }
            foreach (var arg in requestArgs)
            {
                if (arg is null || arg.Contains('\0'))
                {
                    Error("args", "Arguments must be strings without NUL characters.");
                    break;
                }
                if (Encoding.UTF8.GetByteCount(arg) > _limits.MaxArgBytes)
                {
                    Error("args", $"Each argument must be at most {_limits.MaxArgBytes} bytes.");
                    break;
                }
                args.Add(arg);
            }
        }

        var files = new List<(string, string)>();
        if (request.Files is { } requestFiles)
        {
            if (requestFiles.Count > _limits.MaxFiles)
            {
                Error("files", $"At most {_limits.MaxFiles} files are allowed.");
            }
            var names = new HashSet<string>(StringComparer.Ordinal);
            if (language is not null)
            {
                names.Add(language.SourceFile);
            }
            foreach (var file in requestFiles)
            {
                if (file?.Name is null || !FileNames.IsValid(file.Name))
                {
                    Error("files", $"'{Truncate(file?.Name)}' is not a valid file name: use relative paths of letters, digits, '_', '-', '.' and '+', at most {FileNames.MaxDepth} levels, no '..' and no leading '.'.");
                    continue;
                }
                if (!names.Add(file.Name))
                {
                    Error("files", $"'{file.Name}' is given twice (or is the main file's name).");
                    continue;
                }
                if (names.Any(n => n != file.Name && (n.StartsWith(file.Name + "/", StringComparison.Ordinal) || file.Name.StartsWith(n + "/", StringComparison.Ordinal))))
                {
                    Error("files", $"'{file.Name}' is both a file and a folder.");
                    continue;
                }
                files.Add((file.Name, file.Content ?? ""));
            }
        }

        var judged = PrepareCases(request, Error);
        var total = Encoding.UTF8.GetByteCount(request.Code ?? "") + Encoding.UTF8.GetByteCount(stdin)
            + files.Sum(f => Encoding.UTF8.GetByteCount(f.Item2)) + args.Sum(Encoding.UTF8.GetByteCount)
            + (judged?.Cases.Sum(c => Encoding.UTF8.GetByteCount(c.Stdin) + Encoding.UTF8.GetByteCount(c.ExpectedOutput ?? "")
                + c.Args.Sum(Encoding.UTF8.GetByteCount)) ?? 0);
        if (total > _limits.MaxTotalBytes)
        {
            Error(judged is null ? "files" : "tests", $"Code, stdin, files, arguments and test cases together are larger than {_limits.MaxTotalBytes} bytes.");
        }

        var requested = request.Limits ?? new RequestedLimits();
        foreach (var (field, error) in LimitRules.Violations(requested, Ceilings))
        {
            Error(field, error);
        }
        // Every case keeps its own output: together they are bounded, so a result stays a size every party
        // can hold and send. A judged run that names no output limit gets its share of the bound.
        if (judged is { Cases.Count: > 0 } && requested.OutputBytes is { } asked
            && 2L * judged.Cases.Count * asked > _limits.MaxJudgedOutputBytes)
        {
            Error("limits.outputBytes", $"{judged.Cases.Count} test cases keeping {asked} bytes of stdout and of stderr each could return "
                + $"{2L * judged.Cases.Count * asked} bytes; a judged run keeps at most {_limits.MaxJudgedOutputBytes} in all. "
                + $"Ask for at most {_limits.MaxJudgedOutputBytes / (2 * judged.Cases.Count)} or send fewer cases.");
        }

        if (errors.Count > 0 || language is null)
        {
            return false;
        }
        var runtime = _sandbox.RuntimeFor(language.Name, planRuntime);
        var applied = LimitRules.Apply(requested, DefaultsFor(language, runtime));
        if (judged is { Cases.Count: > 0 } && requested.OutputBytes is null)
        {
            applied = applied with
            {
                OutputBytes = (int)Math.Max(1, Math.Min(applied.OutputBytes, _limits.MaxJudgedOutputBytes / (2L * judged.Cases.Count))),
            };
        }
        run = new PreparedRun(language, request.Code!, stdin, args, files, applied, runtime, judged);
        return true;
    }

    /// <summary>
    /// A judged run's cases against this executor's bounds (the shape of each case is the contract's rule,
    /// checked with the rest of <see cref="RequestRules"/>); null for a run without tests.
    /// </summary>
    private JudgedCases? PrepareCases(RunRequest request, Action<string, string> error)
    {
        if (request.Tests is not { Count: > 0 } tests)
        {
            return null;
        }
        if (tests.Count > _limits.MaxTestCases)
        {
            error("tests", $"At most {_limits.MaxTestCases} test cases are allowed (sent {tests.Count}).");
        }
        var cases = new List<PreparedCase>(tests.Count);
        for (var i = 0; i < tests.Count; i++)
        {
            var test = tests[i];
            if (test is null)
            {
                continue;
            }
            if (Encoding.UTF8.GetByteCount(test.Stdin ?? "") > _limits.MaxStdinBytes)
            {
                error($"tests[{i}].stdin", $"Stdin is larger than {_limits.MaxStdinBytes} bytes.");
            }
            if (Encoding.UTF8.GetByteCount(test.ExpectedOutput ?? "") > _limits.MaxStdinBytes)
            {
                error($"tests[{i}].expectedOutput", $"The expected output is larger than {_limits.MaxStdinBytes} bytes.");
            }
            var args = test.Args?.Where(a => a is not null).Select(a => a!).ToList() ?? [];
            if (args.Count > _limits.MaxArgs)
            {
                error($"tests[{i}].args", $"At most {_limits.MaxArgs} arguments are allowed.");
            }
            if (args.Any(a => Encoding.UTF8.GetByteCount(a) > _limits.MaxArgBytes))
            {
                error($"tests[{i}].args", $"Each argument must be at most {_limits.MaxArgBytes} bytes.");
            }
            cases.Add(new PreparedCase(test.Name ?? (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                test.Stdin ?? "", args, test.ExpectedOutput));
        }
        return new JudgedCases(cases, request.Compare ?? OutputComparisons.Lines,
            request.Tolerance ?? OutputComparisons.DefaultTolerance, request.StopOnFirstFailure ?? false);
    }

    /// <summary>The highest value a request may ask for, per limit (published in GET /languages).</summary>
    public AppliedLimits Ceilings => new(_limits.TimeMs.Max, _limits.CompileTimeMs.Max, _limits.MemoryMb.Max, _limits.Pids.Max, _limits.OutputBytes.Max, _limits.ArtifactBytes.Max);

    private static int Default(int? languageDefault, LimitRange range, double factor = 1) =>
        (int)Math.Min(Math.Ceiling((languageDefault ?? range.Default) * factor), range.Max);

    /// <summary>The runtime runs of <paramref name="language"/> get when the caller's plan names none.</summary>
    public string RuntimeOf(LanguageDefinition language) => _sandbox.RuntimeFor(language.Name, plan: null);

    /// <summary>Every runtime this executor may run sandboxes under: configured ones and those with a time factor.</summary>
    public IEnumerable<string> Runtimes =>
        _sandbox.ConfiguredRuntimes().Concat(_limits.TimeFactorByRuntime.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);

    /// <summary>The limits a run of <paramref name="language"/> gets when it asks for none, under its default runtime.</summary>
    public AppliedLimits DefaultsFor(LanguageDefinition language) => DefaultsFor(language, RuntimeOf(language));

    /// <summary>
    /// The limits a run of <paramref name="language"/> under <paramref name="runtime"/> gets when it asks for
    /// none: the language's defaults (else the global ones), time limits times the runtime's factor, each at
    /// most its ceiling.
    /// </summary>
    public AppliedLimits DefaultsFor(LanguageDefinition language, string runtime)
    {
        var factor = _limits.TimeFactorOf(runtime);
        return new(
            Default(language.Limits.TimeMs, _limits.TimeMs, factor),
            Default(language.Limits.CompileTimeMs, _limits.CompileTimeMs, factor),
            Default(language.Limits.MemoryMb, _limits.MemoryMb),
            Default(language.Limits.Pids, _limits.Pids),
            _limits.OutputBytes.Default,
            _limits.ArtifactBytes.Default);
    }

    private static string Truncate(string? value) =>
        value is null ? "(null)" : value.Length <= 40 ? value : value[..40] + "…";
}
