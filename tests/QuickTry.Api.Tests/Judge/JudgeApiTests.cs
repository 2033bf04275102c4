using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace QuickTry.Api.Tests.Judge;

/// <summary>
/// Judged runs through the gateway (real Redis, the real executor on the real engine), as callers send
/// them: <c>POST /run</c> with the typed client, the live form's per-case events, the plan's bounds, and
/// what is billed. (Submissions with a callback: Queue/SubmissionTests.)
/// </summary>
public sealed class JudgeApiTests(JudgeApiTests.Stack stack) : IClassFixture<JudgeApiTests.Stack>
{
    public sealed class Stack() : LoopbackStack("judge", ["cpp", "python3"], new()
    {
        ["Clients:Plans:anonymous:MaxTestCases"] = "5",
    });

    private const string Doubler = "import sys\nfor line in sys.stdin: print(int(line) * 2)";

    private static RunRequest Judged(params (string Stdin, string Expected)[] cases) => new()
    {
        Lang = "python3",
        Code = Doubler,
        Tests = [.. cases.Select(c => new TestCase { Stdin = c.Stdin, ExpectedOutput = c.Expected })],
    };

    [Fact]
    public async Task A_judged_run_answers_a_verdict_per_case_and_bills_the_compile_once_and_every_case()
    {
        using var http = stack.CreateClient(ApiFactory.AliceKey);
        var client = new QuickTryClient(http, ApiFactory.AliceKey);
        var before = (await client.GetQuotaAsync()).RunSeconds.Used;

        var result = await client.RunAsync(new RunRequest
        {
            Lang = "cpp",
            Code = "#include <iostream>\nint main() { long n; std::cin >> n; std::cout << n * n << '\\n'; }",
            Compare = OutputComparisons.Tokens,
            Tests =
            [
                new TestCase { Name = "two", Stdin = "2", ExpectedOutput = "4" },
                new TestCase { Name = "three", Stdin = "3", ExpectedOutput = "9" },
                new TestCase { Name = "big", Stdin = "100000", ExpectedOutput = "1000000000" },
            ],
        });
        Assert.Equal(RunStatus.Ok, result.Status);
        Assert.Equal([Verdict.Accepted, Verdict.Accepted, Verdict.WrongAnswer], result.Tests!.Select(t => t.Verdict));
        Assert.Equal(new OutputDifference(1, "1000000000", "10000000000"), result.Tests![2].Difference);
        Assert.Equal((Verdict.WrongAnswer, 2, 3), (result.Verdict!.Value, result.Passed!.Value, result.Total!.Value));

        // Billed: the one compile step and each case's time, as the result reports them.
        var billedMs = Math.Ceiling(result.Compile!.WallTimeMs + result.Tests.Sum(t => t.WallTimeMs));
        var used = (await client.GetQuotaAsync()).RunSeconds.Used - before;
        Assert.InRange(used * 1000, billedMs - 2, billedMs + 2);
    }

    [Fact]
    public async Task The_live_form_sends_each_case_as_it_ends_then_the_result()
    {
        using var http = stack.CreateClient();
        var client = new QuickTryClient(http);
        var events = new List<RunEvent>();
        await foreach (var runEvent in client.StreamAsync(Judged(("1", "2"), ("2", "5"), ("3", "6"))))
        {
            events.Add(runEvent);
        }
        var cases = events.OfType<TestCaseEnded>().Select(e => e.Case).ToList();
        Assert.Equal(["1", "2", "3"], cases.Select(c => c.Name));
        Assert.Equal([Verdict.Accepted, Verdict.WrongAnswer, Verdict.Accepted], cases.Select(c => c.Verdict));
        Assert.Empty(events.OfType<RunOutput>());
        var result = Assert.IsType<RunCompleted>(events[^1]).Result;
        Assert.Equal(cases, result.Tests);
    }

    [Fact]
    public async Task More_cases_than_the_plan_allows_or_a_worst_case_past_the_ceiling_is_a_400_naming_the_limit()
    {
        using var http = stack.CreateClient();
        var tooMany = await http.PostAsJsonAsync("/run", Judged([.. Enumerable.Range(1, 6).Select(i => (i.ToString(), ""))]), ContractJson.Options);
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        var problem = await tooMany.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("At most 5 test cases are allowed on plan 'anonymous' (sent 6).", problem.GetProperty("errors").GetProperty("tests")[0].GetString());

        // Five cases at the 20 s time-limit ceiling and a 60 s compile limit could take 160 s; a run may take 120 s here.
        var request = Judged([.. Enumerable.Range(1, 5).Select(i => (i.ToString(), ""))]) with
        {
            Lang = "cpp",
            Code = "int main() {}",
            Limits = new RequestedLimits { TimeMs = 20_000, CompileTimeMs = 60_000 },
        };
        var tooLong = await http.PostAsJsonAsync("/run", request, ContractJson.Options);
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Contains("5 test cases at their time limit (and the compile step) could take 160000 ms, more than the 120000 ms a run may take here",
            (await tooLong.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("tests")[0].GetString());

    }
}
