using Microsoft.Extensions.Options;
using QuickTry.Protocol;
using QuickTry.Sandbox.Languages;
using QuickTry.Sandbox.Containers;
using QuickTry.Sandbox.Runs;

namespace QuickTry.Sandbox.Tests;

public class RunValidatorTests
{
    private static readonly LanguageDefinition Python = new()
    {
        Name = "python3", Aliases = ["py"], SourceFile = "main.py", Run = ["python3", "main.py"],
    };

    private static readonly LanguageDefinition Go = new()
    {
        Name = "go", SourceFile = "main.go", Compile = ["go", "build"], Run = ["./main"],
        Limits = new LanguageLimits { MemoryMb = 512, CompileTimeMs = 30_000 },
    };

    private static RunValidator Validator(LimitsOptions? limits = null) =>
        new(new LanguageCatalog([Python, Go]), Options.Create(limits ?? new LimitsOptions()));

    private static Dictionary<string, string[]> Errors(RunRequest request, LimitsOptions? limits = null)
    {
        Assert.False(Validator(limits).TryPrepare(request, out _, out var errors));
        return errors;
    }

    [Fact]
    public void Alias_resolves_and_defaults_apply()
    {
        Assert.True(Validator().TryPrepare(new RunRequest { Lang = "PY", Code = "print(1)" }, out var run, out _));
        Assert.Equal("python3", run.Language.Name);
        var defaults = new LimitsOptions();
        Assert.Equal(new AppliedLimits(defaults.TimeMs.Default, defaults.CompileTimeMs.Default, defaults.MemoryMb.Default,
            defaults.Pids.Default, defaults.OutputBytes.Default, defaults.ArtifactBytes.Default), run.Limits);
    }

    [Fact]
    public void Language_overrides_replace_the_global_defaults()
    {
        Assert.True(Validator().TryPrepare(new RunRequest { Lang = "go", Code = "package main" }, out var run, out _));
        Assert.Equal(512, run.Limits.MemoryMb);
        Assert.Equal(30_000, run.Limits.CompileTimeMs);
    }

    [Fact]
    public void A_judged_run_without_an_output_limit_gets_its_share_of_the_judged_bound()
    {
        static RunRequest Judged(int cases, int? outputBytes = null) => new()
        {
            Lang = "py", Code = "print(1)", Limits = outputBytes is null ? null : new RequestedLimits { OutputBytes = outputBytes },
            Tests = [.. Enumerable.Range(0, cases).Select(_ => new TestCase())],
        };
        Assert.True(Validator().TryPrepare(Judged(3), out var few, out _));
        Assert.Equal(new LimitsOptions().OutputBytes.Default, few.Limits.OutputBytes);
        Assert.True(Validator().TryPrepare(Judged(100), out var many, out _));
        Assert.Equal(2 * 1024 * 1024 / 200, many.Limits.OutputBytes);
        Assert.True(Validator().TryPrepare(Judged(100, outputBytes: 10_000), out var named, out _));
        Assert.Equal(10_000, named.Limits.OutputBytes);
        Assert.Contains("Ask for at most 10485", Errors(Judged(100, outputBytes: 20_000))["limits.outputBytes"][0]);
    }

    [Fact]
    public void Missing_language_and_code_are_both_reported()
    {
        var errors = Errors(new RunRequest());
        Assert.Contains("lang", errors.Keys);
        Assert.Contains("code", errors.Keys);
    }

    [Fact]
    public void Unknown_language_names_the_valid_ones()
    {
        var errors = Errors(new RunRequest { Lang = "cobol", Code = "x" });
        Assert.Contains("go", errors["lang"][0]);
        Assert.Contains("python3", errors["lang"][0]);
    }

    [Fact]
    public void A_limit_above_its_ceiling_is_refused_not_clamped()
    {
        var errors = Errors(new RunRequest { Lang = "py", Code = "x", Limits = new RequestedLimits { TimeMs = 999_999 } });
        Assert.Contains("at most 20000", errors["limits.timeMs"][0]);
    }

    [Fact]
    public void A_limit_below_its_floor_is_refused()
    {
        var errors = Errors(new RunRequest { Lang = "py", Code = "x", Limits = new RequestedLimits { MemoryMb = 1 } });
        Assert.Contains("limits.memoryMb", errors.Keys);
    }

    [Theory]
    [InlineData("../etc/passwd")]
    [InlineData("/etc/passwd")]
    [InlineData(".qt/run")]
    [InlineData("a//b")]
    [InlineData("dir/../../x")]
    [InlineData("")]
    [InlineData("name with space.py")]
    public void File_names_that_could_escape_or_collide_with_the_runner_are_refused(string name)
    {
        var errors = Errors(new RunRequest { Lang = "py", Code = "x", Files = [new RunFile(name, "")] });
        Assert.Contains("files", errors.Keys);
    }

    [Fact]
    public void Duplicate_files_and_the_main_file_name_are_refused()
    {
        var errors = Errors(new RunRequest
        {
            Lang = "py", Code = "x", Files = [new RunFile("util.py", ""), new RunFile("util.py", ""), new RunFile("main.py", "")],
        });
        Assert.Equal(2, errors["files"].Length);
    }

    [Fact]
    public void Nested_files_are_accepted()
    {
        Assert.True(Validator().TryPrepare(new RunRequest
        {
            Lang = "py", Code = "x", Files = [new RunFile("pkg/__init__.py", ""), new RunFile("pkg/util.py", "X = 1")],
        }, out var run, out _));
        Assert.Equal(2, run.Files.Count);
    }

    [Fact]
    public void Oversized_code_and_stdin_are_refused()
    {
        var limits = new LimitsOptions { MaxCodeBytes = 10, MaxStdinBytes = 10 };
        var errors = Errors(new RunRequest { Lang = "py", Code = new string('x', 11), Stdin = new string('y', 11) }, limits);
        Assert.Contains("code", errors.Keys);
        Assert.Contains("stdin", errors.Keys);
    }

    [Fact]
    public void Arguments_with_nul_are_refused()
    {
        var errors = Errors(new RunRequest { Lang = "py", Code = "x", Args = ["ok", "bad\0arg"] });
        Assert.Contains("args", errors.Keys);
    }

    private static RunValidator Validator(SandboxOptions sandbox, LimitsOptions? limits = null) =>
        new(new LanguageCatalog([Python, Go]), Options.Create(limits ?? new LimitsOptions()), sandboxOptions: Options.Create(sandbox));

    [Fact]
    public void Under_gvisor_the_default_time_limits_are_three_times_longer_up_to_their_ceilings()
    {
        var validator = Validator(new SandboxOptions { Runtime = SandboxRuntimes.Gvisor });

        Assert.True(validator.TryPrepare(new RunRequest { Lang = "go", Code = "package main" }, out var go, out _));
        Assert.Equal(SandboxRuntimes.Gvisor, go.Runtime);
        Assert.Equal(9_000, go.Limits.TimeMs);
        // Go's own 30 s compile default, three times, is past the 60 s ceiling: the ceiling applies.
        Assert.Equal(60_000, go.Limits.CompileTimeMs);
        // Only time stretches.
        Assert.Equal(512, go.Limits.MemoryMb);
        Assert.Equal(new LimitsOptions().Pids.Default, go.Limits.Pids);
    }

    [Fact]
    public void A_time_limit_the_request_names_is_taken_as_named_under_any_runtime()
    {
        var validator = Validator(new SandboxOptions { Runtime = SandboxRuntimes.Gvisor });
        Assert.True(validator.TryPrepare(new RunRequest { Lang = "py", Code = "x", Limits = new RequestedLimits { TimeMs = 1_000 } }, out var run, out _));
        Assert.Equal(1_000, run.Limits.TimeMs);
        Assert.Equal(30_000, run.Limits.CompileTimeMs);
    }

    [Fact]
    public void The_plans_runtime_decides_the_factor_and_runc_has_none()
    {
        var validator = Validator(new SandboxOptions(), new LimitsOptions { TimeFactorByRuntime = { [SandboxRuntimes.Gvisor] = 2.5 } });

        Assert.True(validator.TryPrepare(new RunRequest { Lang = "py", Code = "x" }, out var underRunc, out _));
        Assert.True(validator.TryPrepare(new RunRequest { Lang = "py", Code = "x" }, SandboxRuntimes.Gvisor, out var underGvisor, out _));

        Assert.Equal((SandboxRuntimes.Runc, 3_000), (underRunc.Runtime, underRunc.Limits.TimeMs));
        Assert.Equal((SandboxRuntimes.Gvisor, 7_500), (underGvisor.Runtime, underGvisor.Limits.TimeMs));
        Assert.Equal(underGvisor.Limits, validator.DefaultsFor(Python, SandboxRuntimes.Gvisor));
        Assert.Equal([SandboxRuntimes.Runc, SandboxRuntimes.Gvisor], validator.Runtimes);
    }

    [Theory]
    [InlineData("runsc", 0.5, "TimeFactorByRuntime:runsc must be 1..20")]
    [InlineData("runsc", 21, "TimeFactorByRuntime:runsc must be 1..20")]
    [InlineData("../bin", 2, "'../bin' is not a runtime name")]
    public void A_nonsensical_time_factor_is_refused_at_start_up_naming_the_setting(string runtime, double factor, string message)
    {
        var options = new LimitsOptions { TimeFactorByRuntime = { [runtime] = factor } };
        var result = new LimitsOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains(message, result.FailureMessage);
        Assert.Contains(LimitsOptions.Section, result.FailureMessage);
    }

    [Fact]
    public void A_language_tells_its_limits_under_each_runtime_and_falls_back_to_its_default_runtime()
    {
        var runc = new AppliedLimits(3_000, 10_000, 128, 64, 65_536);
        var gvisor = runc with { TimeMs = 9_000, CompileTimeMs = 30_000 };
        var info = new LanguageInfo("python3", "Python", "3.13.5", [], false, "main.py", true, runc, runc, null, "python3", [])
        {
            LimitsByRuntime = new Dictionary<string, AppliedLimits> { [SandboxRuntimes.Runc] = runc, [SandboxRuntimes.Gvisor] = gvisor },
        };

        Assert.Equal(runc, info.LimitsUnder(null));
        Assert.Equal(gvisor, info.LimitsUnder(SandboxRuntimes.Gvisor));
        Assert.Equal(runc, info.LimitsUnder("kata"));
    }
}
