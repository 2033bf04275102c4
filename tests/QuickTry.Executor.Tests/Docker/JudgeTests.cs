using System.Net;
using System.Net.Http.Json;

namespace QuickTry.Executor.Tests.Docker;

/// <summary>
/// Judged runs on the real engine: one compile, one run per test case from that build in a clean folder,
/// a verdict per case. The same cases in slots, one-run containers and gVisor.
/// </summary>
[Collection(DockerCollection.Name)]
public class JudgeTests(ExecutorFixture executor)
{
    // Reads two numbers, prints their sum; "loop" after the numbers prints the right answer, then spins.
    private const string SumCpp = """
        #include <cstdlib>
        #include <iostream>
        #include <string>
        int main() {
            long a, b; std::string mode;
            std::cin >> a >> b >> mode;
            std::cout << a + b << std::endl;
            if (mode == "fail") return 3;
            if (mode == "loop") for (;;) {}
            if (mode == "wrong") std::cout << "extra" << std::endl;
            return 0;
        }
        """;

    [Fact]
    public async Task A_compiled_solution_compiles_once_and_gets_a_verdict_per_case()
    {
        var result = await executor.RunAsync(new RunRequest
        {
            Lang = "cpp",
            Code = SumCpp,
            Limits = new RequestedLimits { TimeMs = 1_000 },
            Tests =
            [
                new TestCase { Name = "small", Stdin = "1 2 ok", ExpectedOutput = "3\n" },
                new TestCase { Stdin = "2 2 wrong", ExpectedOutput = "4\n" },
                new TestCase { Stdin = "5 5 fail", ExpectedOutput = "10\n" },
                new TestCase { Stdin = "7 8 loop", ExpectedOutput = "15\n" },
                new TestCase { Stdin = "100 1 ok" },
            ],
        });

        Assert.Equal(0, result.Compile!.ExitCode);
        Assert.Equal(["small", "2", "3", "4", "5"], result.Tests!.Select(t => t.Name));
        Assert.Equal([Verdict.Accepted, Verdict.WrongAnswer, Verdict.RuntimeError, Verdict.Timeout, Verdict.Accepted],
            result.Tests!.Select(t => t.Verdict));
        Assert.Equal(new OutputDifference(2, "", "extra"), result.Tests![1].Difference);
        Assert.Equal(3, result.Tests[2].ExitCode);
        // Printing the right answer and then running past the limit is not an accepted case.
        Assert.Equal("15\n", result.Tests[3].Stdout);
        Assert.True(result.Tests[3].WallTimeMs >= 1_000, $"the looping case ran {result.Tests[3].WallTimeMs} ms");
        // A case without an expected output is run, not compared.
        Assert.False(result.Tests[4].Compared);
        Assert.Equal("101\n", result.Tests[4].Stdout);

        Assert.Equal(Verdict.WrongAnswer, result.Verdict);
        Assert.Equal(2, result.Passed);
        Assert.Equal(5, result.Total);
        // The run as a whole ended at its first case that did not end normally: the runtime error.
        Assert.Equal(RunStatus.RuntimeError, result.Status);
        Assert.Contains("Test case '3'", result.Message);
        Assert.Equal(Math.Round(result.Tests.Sum(t => t.WallTimeMs), 2), result.WallTimeMs, 1);
    }

    [Fact]
    public async Task Each_case_starts_from_the_build_with_nothing_an_earlier_case_wrote()
    {
        // Each case looks for what the one before left, then leaves more: a file, a changed source, a locked
        // folder, a file in /tmp, a process in the background.
        var result = await executor.RunAsync(new RunRequest
        {
            Lang = "python3",
            Code = """
                import os, subprocess, sys
                seen = [p for p in ["state.txt", "/tmp/state", "locked"] if os.path.exists(p)]
                print(open(__file__).read().startswith("import os"), seen, sys.argv[1:], input())
                open("state.txt", "w").write("1"); open("/tmp/state", "w").write("1")
                os.makedirs("locked/inner"); os.chmod("locked", 0)
                open(__file__, "w").write("print('rewritten')")
                subprocess.Popen(["sleep", "30"])
                """,
            Files = [new RunFile("data.txt", "kept")],
            Tests =
            [
                new TestCase { Stdin = "one", Args = ["a"] },
                new TestCase { Stdin = "two", Args = ["b", "c"] },
                new TestCase { Stdin = "three" },
            ],
        });

        Assert.Equal(RunStatus.Ok, result.Status);
        Assert.Equal(["True [] ['a'] one\n", "True [] ['b', 'c'] two\n", "True [] [] three\n"], result.Tests!.Select(t => t.Stdout));
        Assert.All(result.Tests!, t => Assert.Equal(Verdict.Accepted, t.Verdict));
        await executor.AssertNoProcessLeftAsync("sleep");
    }

    [Fact]
    public async Task Stopping_at_the_first_failure_skips_the_rest_and_a_compile_error_skips_every_case()
    {
        var stopped = await executor.RunAsync(new RunRequest
        {
            Lang = "python3",
            Code = "n = int(input())\nprint(n * 2)",
            StopOnFirstFailure = true,
            Tests =
            [
                new TestCase { Stdin = "1", ExpectedOutput = "2" },
                new TestCase { Stdin = "2", ExpectedOutput = "5" },
                new TestCase { Stdin = "3", ExpectedOutput = "6" },
            ],
        });
        Assert.Equal([Verdict.Accepted, Verdict.WrongAnswer, Verdict.Skipped], stopped.Tests!.Select(t => t.Verdict));
        Assert.Equal(0, stopped.Tests![2].WallTimeMs);
        Assert.Contains("stops at the first failure", stopped.Tests[2].Message);
        Assert.Equal(RunStatus.Ok, stopped.Status);
        Assert.Equal(Verdict.WrongAnswer, stopped.Verdict);

        var broken = await executor.RunAsync(new RunRequest
        {
            Lang = "cpp",
            Code = "int main() { return undefined; }",
            Tests = [new TestCase { Stdin = "1" }, new TestCase { Stdin = "2" }],
        });
        Assert.Equal(RunStatus.CompileError, broken.Status);
        Assert.All(broken.Tests!, t => Assert.Equal(Verdict.Skipped, t.Verdict));
        Assert.Equal(Verdict.Skipped, broken.Verdict);
        Assert.Equal(0, broken.Passed);
        Assert.Contains("undefined", broken.Compile!.Stderr);
    }

    [Fact]
    public async Task Outputs_compare_by_lines_tokens_or_numbers_and_limits_give_their_verdicts()
    {
        var compared = await executor.RunAsync(new RunRequest
        {
            Lang = "python3",
            Code = "import sys\nsys.stdout.write(input())",
            Compare = OutputComparisons.Numbers,
            Tests =
            [
                new TestCase { Stdin = "0.1000000001 2", ExpectedOutput = "0.1 2\n" },
                new TestCase { Stdin = "0.2 2", ExpectedOutput = "0.1 2" },
            ],
        });
        Assert.Equal([Verdict.Accepted, Verdict.WrongAnswer], compared.Tests!.Select(t => t.Verdict));
        Assert.Equal(new OutputDifference(1, "0.1", "0.2"), compared.Tests![1].Difference);

        var lines = await executor.RunAsync(new RunRequest
        {
            Lang = "python3",
            Code = "import sys\nsys.stdout.write('a  \\r\\nb\\r\\n\\r\\n')",
            Tests = [new TestCase { ExpectedOutput = "a\nb\n" }],
        });
        Assert.Equal(Verdict.Accepted, lines.Tests![0].Verdict);

        var limited = await executor.RunAsync(new RunRequest
        {
            Lang = "python3",
            Code = """
                mode = input()
                if mode == "memory": x = bytearray(400 * 1024 * 1024); x[::4096] = b"x" * len(x[::4096])
                print("done")
                """,
            Limits = new RequestedLimits { MemoryMb = 64 },
            Tests = [new TestCase { Stdin = "memory" }, new TestCase { Stdin = "fine", ExpectedOutput = "done" }],
        });
        // Under gVisor the OOM killer ends the whole sandbox (its kernel with it), so the cases after cannot run.
        Assert.Equal([Verdict.MemoryLimit, MemoryLimitEndsTheSandbox ? Verdict.Skipped : Verdict.Accepted], limited.Tests!.Select(t => t.Verdict));
        Assert.Equal(RunStatus.MemoryLimit, limited.Status);

        // Output past the cap stops the sandbox: the cases after it are skipped, saying why.
        var flooded = await executor.RunAsync(new RunRequest
        {
            Lang = "bash",
            Code = "read mode; [ \"$mode\" = flood ] && yes; echo fine",
            Limits = new RequestedLimits { OutputBytes = 10_000 },
            Tests = [new TestCase { Stdin = "flood" }, new TestCase { Stdin = "calm" }],
        });
        Assert.Equal([Verdict.OutputLimit, Verdict.Skipped], flooded.Tests!.Select(t => t.Verdict));
        Assert.Equal(10_000, flooded.Limits.OutputBytes);
        Assert.Equal(10_000, flooded.Tests![0].Stdout.Length);
        Assert.Equal("Not run: the sandbox ended during case '1'.", flooded.Tests[1].Message);
        Assert.Equal(RunStatus.OutputLimit, flooded.Status);
    }

    /// <summary>The kernel's OOM killer ends the whole sandbox rather than the program alone.</summary>
    protected virtual bool MemoryLimitEndsTheSandbox => false;

    [Fact]
    public async Task Too_many_cases_or_malformed_ones_are_refused_naming_the_field()
    {
        var tooMany = await executor.Client.PostAsJsonAsync("/execute", new RunRequest
        {
            Lang = "python3",
            Code = "print(1)",
            Tests = [.. Enumerable.Range(0, 101).Select(_ => new TestCase())],
        }, ExecutorFixture.Json);
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Contains("At most 100 test cases are allowed (sent 101).", await tooMany.Content.ReadAsStringAsync());

        var malformed = await executor.Client.PostAsJsonAsync("/execute", new RunRequest
        {
            Lang = "python3",
            Code = "print(1)",
            Stdin = "shared",
            Compare = "fuzzy",
            Tests = [new TestCase { Name = "a" }, new TestCase { Name = "a" }],
        }, ExecutorFixture.Json);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        var problem = await malformed.Content.ReadAsStringAsync();
        Assert.Contains("'fuzzy' is not a comparison", problem);
        Assert.Contains("each test case carries its own 'stdin'", problem);
        Assert.Contains("Two test cases are named 'a'", problem);

        // Inputs are held to the stdin bound, and all cases' kept output to the judged bound.
        var oversized = await executor.Client.PostAsJsonAsync("/execute", new RunRequest
        {
            Lang = "python3",
            Code = "print(1)",
            Limits = new RequestedLimits { OutputBytes = 1024 * 1024 },
            Tests = [new TestCase(), new TestCase { Stdin = new string('x', 1024 * 1024 + 1) }],
        }, ExecutorFixture.Json);
        Assert.Equal(HttpStatusCode.BadRequest, oversized.StatusCode);
        var sizes = await oversized.Content.ReadAsStringAsync();
        Assert.Contains("tests[1].stdin", sizes);
        Assert.Contains("a judged run keeps at most 2097152 in all. Ask for at most 524288 or send fewer cases.", sizes);
    }
}

/// <summary>Judged runs in one-run containers: the runner's stdin stays open between cases.</summary>
[Collection(ContainerDockerCollection.Name)]
public class JudgeTestsInOneRunContainers(ContainerExecutorFixture executor) : JudgeTests(executor);

/// <summary>Judged runs under gVisor.</summary>
[Collection(GVisorCollection.Name)]
public class JudgeTestsUnderGVisor(GVisorExecutorFixture executor) : JudgeTests(executor)
{
    protected override bool MemoryLimitEndsTheSandbox => true;
}
