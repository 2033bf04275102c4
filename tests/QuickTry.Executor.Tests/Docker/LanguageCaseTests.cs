using QuickTry.Sandbox.Languages;

namespace QuickTry.Executor.Tests.Docker;

/// <summary>
/// Each language version's test cases (<c>docker-images/&lt;name&gt;/test/&lt;case&gt;/</c>, a version's falling
/// back to its language's) and snippets as pasted from the web. Every case runs under the default isolation
/// and runtime (slots, runc); one-run containers and gVisor run a set that proves each mode on every
/// language family (see <see cref="SuiteScope"/>), and the whole matrix with <c>scripts/test.sh --full</c>.
/// </summary>
public abstract class LanguageCaseTests(ExecutorFixture executor)
{
    /// <summary>
    /// Runs every case of each language version in <paramref name="names"/> (a group of them, separated by
    /// spaces) and fails naming each case that failed. As many languages run at once as the machine has
    /// cores, each language's cases one after another in the same sandbox, as a caller's runs reuse a slot:
    /// compiles are single-threaded, so two languages at once halve the time on two cores, and a language
    /// needs one sandbox, not one per concurrent case (starting and removing one cost the engine about one
    /// CPU-second here; the second sandbox of each of 106 versions was a tenth of the suite's work).
    /// </summary>
    protected async Task AssertEveryCasePassesAsync(string names)
    {
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Parallel.ForEachAsync(names.Split(' ', StringSplitOptions.RemoveEmptyEntries),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(2, Environment.ProcessorCount) },
            async (name, _) =>
            {
                if (!SuiteScope.Catalog.TryFind(name, out var language))
                {
                    failures.Add($"{name}: not in the catalog");
                    return;
                }
                foreach (var testCase in SuiteScope.Catalog.TestCasesOf(language).Select(Path.GetFileName).OfType<string>().Where(c => Runs(name, c)))
                {
                    try
                    {
                        await AssertCasePassesAsync(name, testCase);
                    }
                    catch (Exception e)
                    {
                        failures.Add($"{name}/{testCase}: {e.Message}");
                    }
                }
            });
        Assert.True(failures.IsEmpty, string.Join("\n\n", failures.Order(StringComparer.Ordinal)));
    }

    /// <summary>Whether this mode runs <paramref name="testCase"/> of <paramref name="name"/>: every case unless a mode says less.</summary>
    protected virtual bool Runs(string name, string testCase) => true;

    /// <summary>
    /// <c>hello</c>, <c>echo</c> and <c>snippet</c> (a program written the way the language's community
    /// writes snippets, pasted unchanged) must print <c>expected.txt</c> (given <c>stdin.txt</c>);
    /// <c>runtime-error</c> must end as a runtime error with a non-zero exit code; <c>compile-error</c> as a
    /// compile error with the compiler's message. All with the language's default limits under the
    /// fixture's runtime: they must hold there.
    /// </summary>
    private async Task AssertCasePassesAsync(string name, string testCase)
    {
        Assert.True(SuiteScope.Catalog.TryFind(name, out var language));
        var folder = SuiteScope.Catalog.TestCasesOf(language).Single(f => Path.GetFileName(f) == testCase);
        var stdinFile = Path.Combine(folder, "stdin.txt");

        var request = new RunRequest
        {
            Lang = name,
            Code = await File.ReadAllTextAsync(Path.Combine(folder, language.SourceFile)),
            Stdin = File.Exists(stdinFile) ? await File.ReadAllTextAsync(stdinFile) : null,
        };
        var result = await executor.RunAsync(request);

        var report = $"{name}/{testCase}: {result.Status} {result.Message}\ncompile: {result.Compile?.Output}\noutput: {result.Output}";
        Assert.NotEqual("unknown", result.Version);
        Assert.Equal(executor.Runtime, result.Runtime);
        Assert.Equal(language.IsCompiled, result.Compile is not null);
        switch (testCase)
        {
            case "hello" or "echo" or "snippet":
                Assert.True(result.Status == RunStatus.Ok, report);
                Assert.Equal(await File.ReadAllTextAsync(Path.Combine(folder, "expected.txt")), result.Stdout);
                Assert.Equal(0, result.ExitCode);
                break;
            case "runtime-error":
                Assert.True(result.Status == RunStatus.RuntimeError, report);
                Assert.NotNull(result.ExitCode);
                Assert.NotEqual(0, result.ExitCode);
                // Something to go on: what the program printed, or the signal that ended it (C's abort()
                // prints nothing; the shell's "Aborted" line was the runner's, not the program's).
                Assert.False(string.IsNullOrWhiteSpace(result.Stderr + result.Stdout) && result.Signal is null, report);
                break;
            case "compile-error":
                Assert.True(result.Status == RunStatus.CompileError, report);
                Assert.NotEqual(0, result.Compile!.ExitCode);
                Assert.False(string.IsNullOrWhiteSpace(result.Compile.Output), report);
                Assert.Null(result.ExitCode);
                break;
            default:
                Assert.Fail($"{name}: unknown test case folder '{testCase}'");
                break;
        }
    }

    /// <summary>A snippet as it is pasted from the web prints what it should.</summary>
    protected async Task AssertSnippetRunsAsync(string lang, string code, string expected)
    {
        var result = await executor.RunAsync(new RunRequest { Lang = lang, Code = code });

        Assert.True(result.Status == RunStatus.Ok, $"{result.Status} {result.Message}\n{result.Compile?.Output}\n{result.Output}");
        Assert.Equal(expected, result.Stdout);
    }
}

/// <summary>Every language version's cases and every pasted snippet, in slots under runc: what a default install serves.</summary>
[Collection(DockerCollection.Name)]
public class LanguageCasesInSlots(ExecutorFixture executor) : LanguageCaseTests(executor)
{
    [Theory]
    [MemberData(nameof(SuiteScope.AllLanguages), MemberType = typeof(SuiteScope))]
    public Task Each_language_passes_its_test_cases(string names) => AssertEveryCasePassesAsync(names);

    [Theory]
    [MemberData(nameof(SuiteScope.AllSnippets), MemberType = typeof(SuiteScope))]
    public Task Snippets_run_as_pasted(string lang, string code, string expected) => AssertSnippetRunsAsync(lang, code, expected);
}

/// <summary>One language version of each family in one-run containers (all of them with <c>--full</c>).</summary>
[Collection(ContainerDockerCollection.Name)]
public class LanguageCasesInOneRunContainers(ContainerExecutorFixture executor) : LanguageCaseTests(executor)
{
    [Theory]
    [MemberData(nameof(SuiteScope.OneRunContainerLanguageNames), MemberType = typeof(SuiteScope))]
    public Task Each_language_passes_its_test_cases(string names) => AssertEveryCasePassesAsync(names);

    [Theory]
    [MemberData(nameof(SuiteScope.ModeSnippets), MemberType = typeof(SuiteScope))]
    public Task Snippets_run_as_pasted(string lang, string code, string expected) => AssertSnippetRunsAsync(lang, code, expected);
}

/// <summary>
/// Under gVisor: each family, the heavy runtimes (JVM, BEAM, .NET, R, GAP, Scilab) with their default limits
/// (the runtime's time factor must make them fit), and every language with a gVisor-specific fix.
/// </summary>
[Collection(GVisorCollection.Name)]
public class LanguageCasesUnderGVisor(GVisorExecutorFixture executor) : LanguageCaseTests(executor)
{
    /// <summary>A family runs every case; a language here for its gVisor fix runs the case that proves the fix.</summary>
    protected override bool Runs(string name, string testCase) => SuiteScope.RunsUnderGVisor(name, testCase);

    [Theory]
    [MemberData(nameof(SuiteScope.GVisorLanguageNames), MemberType = typeof(SuiteScope))]
    public Task Each_language_passes_its_test_cases(string names) => AssertEveryCasePassesAsync(names);

    [Theory]
    [MemberData(nameof(SuiteScope.ModeSnippets), MemberType = typeof(SuiteScope))]
    public Task Snippets_run_as_pasted(string lang, string code, string expected) => AssertSnippetRunsAsync(lang, code, expected);
}
