using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace QuickTry.Bench;

/// <summary>
/// The soak (<c>scripts/soak.sh</c>): callers with a mixed workload against the AppHost's stack with two
/// executors for a fixed time, while Redis is killed (SIGKILL; its restart policy brings it back with its
/// append-only file) and each executor is killed (SIGKILL) and started again. Every answer is checked:
/// a 200 must be the right result (or say the run was cut off: internal_error), a refusal must carry
/// Retry-After, every request must be answered within its bound, and every submission answered 202 must
/// end (done with the right output, lost, or expired), never vanish. Writes docs/soak.md.
/// </summary>
internal static class Soak
{
    // The longest a request may take: the slowest run's limit (a 500 ms time limit, a compile) plus the
    // queue wait of a full executor; past it the request counts as unanswered.
    private static readonly TimeSpan AnswerBound = TimeSpan.FromSeconds(30);

    private sealed record Answer(TimeSpan Sent, TimeSpan Took, string Kind, string Outcome);

    private sealed record Fault(TimeSpan At, string What);

    public static async Task RunAsync(BenchStack stack, TimeSpan duration, int callers, string output, string machine)
    {
        await stack.StartSecondExecutorAsync(CancellationToken.None);
        var answers = new ConcurrentQueue<Answer>();
        var submissions = new ConcurrentQueue<(string Id, string Expected, TimeSpan At)>();
        var faults = new ConcurrentQueue<Fault>();
        var clock = Stopwatch.StartNew();
        using var http = new HttpClient { BaseAddress = stack.Api.BaseAddress, Timeout = AnswerBound + TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add("X-Api-Key", BenchStack.ApiKey);

        var load = Enumerable.Range(0, callers).Select(caller => Task.Run(async () =>
        {
            for (var i = 0; clock.Elapsed < duration; i++)
            {
                var kind = (i + caller) % 6;
                var tag = $"c{caller}-{i}";
                var sent = clock.Elapsed;
                string name, outcome;
                try
                {
                    (name, outcome) = await CallAsync(http, kind, tag, submissions, sent);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    (name, outcome) = (KindName(kind), "unanswered: " + e.GetType().Name);
                }
                var took = clock.Elapsed - sent;
                if (took > AnswerBound)
                {
                    outcome = $"unanswered within {AnswerBound.TotalSeconds:0} s ({outcome})";
                }
                answers.Enqueue(new Answer(sent, took, name, outcome));
                // A refused caller waits as Retry-After asks (parsed into the outcome as a 503/429 only).
                await Task.Delay(outcome.StartsWith("503", StringComparison.Ordinal) || outcome.StartsWith("429", StringComparison.Ordinal) ? 1_000 : 100);
            }
        })).ToList();

        // Faults, spread over the run: Redis, an executor, Redis, the other executor.
        var schedule = new (double Fraction, Func<Task<string>> Inject)[]
        {
            (0.2, KillRedisAsync),
            (0.4, () => KillExecutorAsync(stack, "executor")),
            (0.6, KillRedisAsync),
            (0.8, () => KillExecutorAsync(stack, BenchStack.SecondExecutor)),
        };
        foreach (var (fraction, inject) in schedule)
        {
            var at = duration * fraction;
            if (clock.Elapsed < at)
            {
                await Task.Delay(at - clock.Elapsed);
            }
            var when = clock.Elapsed;
            var what = await inject();
            faults.Enqueue(new Fault(when, what));
            Console.WriteLine($"  {when.TotalSeconds:0} s: {what}");
        }
        await Task.WhenAll(load);
        var loadEnded = clock.Elapsed;

        // Every accepted submission must end.
        Console.WriteLine($"Load ended; waiting for {submissions.Count} submissions to end");
        var ends = await WaitForSubmissionsAsync(http, [.. submissions], TimeSpan.FromMinutes(3));
        await File.WriteAllTextAsync(output, Markdown([.. answers], [.. faults], ends, duration, callers, loadEnded, machine));
    }

    private static string KindName(int kind) => kind switch
    {
        0 => "python3 run",
        1 => "bash with stdin",
        2 => "C compile and run",
        3 => "submission",
        4 => "time limit",
        _ => "output limit",
    };

    private static async Task<(string Kind, string Outcome)> CallAsync(HttpClient http, int kind, string tag,
        ConcurrentQueue<(string Id, string Expected, TimeSpan At)> submissions, TimeSpan sent)
    {
        var name = KindName(kind);
        object body = kind switch
        {
            0 => new { lang = "python3", code = $"print('{tag}')" },
            1 => new { lang = "bash", code = "read x; echo \"got $x\"", stdin = tag + "\n" },
            2 => new { lang = "c", code = $"#include <stdio.h>\nint main(void) {{ puts(\"{tag}\"); return 0; }}\n" },
            3 => new { lang = "python3", code = $"print('{tag}')" },
            4 => new { lang = "python3", code = "while True: pass", limits = new { timeMs = 500 } },
            _ => new { lang = "python3", code = "import sys\nwhile True: sys.stdout.write('x' * 65536)", limits = new { outputBytes = 4096 } },
        };
        using var response = await http.PostAsJsonAsync(kind == 3 ? "/submissions" : "/run", body);
        var text = await response.Content.ReadAsStringAsync();
        var status = (int)response.StatusCode;
        if (status is 503 or 429)
        {
            var title = "";
            try
            {
                title = JsonDocument.Parse(text).RootElement.GetProperty("title").GetString() ?? "";
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
            }
            return (name, response.Headers.RetryAfter?.Delta is null ? $"{status} without Retry-After" : $"{status} {title}".TrimEnd());
        }
        if (kind == 3)
        {
            if (status != 202)
            {
                return (name, $"{status} unexpected");
            }
            submissions.Enqueue((JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!, tag + "\n", sent));
            return (name, "202");
        }
        if (status != 200)
        {
            return (name, $"{status} unexpected");
        }
        var result = JsonDocument.Parse(text).RootElement;
        var runStatus = result.GetProperty("status").GetString();
        var stdout = result.GetProperty("stdout").GetString();
        if (runStatus == "internal_error")
        {
            // Cut off by a fault (its executor died): said so, not billed. Why, in a word.
            var message = result.TryGetProperty("message", out var m) ? m.GetString() ?? "" : "";
            var why = message.Contains("stopped sending heartbeats", StringComparison.Ordinal) ? "heartbeats lapsed"
                : message.Contains("did not report", StringComparison.Ordinal) ? "not reported in time"
                : message.Length > 0 ? message[..Math.Min(60, message.Length)] : "no message";
            return (name, $"200 internal_error ({why})");
        }
        var right = kind switch
        {
            0 or 2 => runStatus == "ok" && stdout == tag + "\n",
            1 => runStatus == "ok" && stdout == $"got {tag}\n",
            4 => runStatus == "timeout",
            _ => runStatus == "output_limit" && stdout!.Length <= 4096,
        };
        return (name, right ? "200 right" : $"200 WRONG: {runStatus} {stdout?[..Math.Min(40, stdout.Length)]}");
    }

    private static async Task<string> KillRedisAsync()
    {
        var id = (await Shell("docker ps -q --filter ancestor=quicktry/redis:latest")).Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()
            ?? throw new InvalidOperationException("no Redis container of the AppHost is running");
        var pid = (await Shell($"docker inspect -f '{{{{.State.Pid}}}}' {id}")).Trim();
        // SIGKILL to the process, as a crash: the engine restarts it by its policy (docker kill would count as a stop).
        await Shell($"kill -9 {pid}");
        return $"Redis (container {id[..12]}) killed with SIGKILL";
    }

    private static async Task<string> KillExecutorAsync(BenchStack stack, string resource)
    {
        var pid = BenchStack.ExecutorProcessId(resource) ?? throw new InvalidOperationException($"{resource}'s process not found");
        Process.GetProcessById(pid).Kill();
        // Started again after 15 s, as a supervisor would; its sandboxes' orphans are its own to reap.
        _ = Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(15));
            await stack.StartExecutorAsync(resource, CancellationToken.None);
        });
        return $"{resource} (pid {pid}) killed with SIGKILL, started again 15 s later";
    }

    private static async Task<string> Shell(string command)
    {
        var start = new ProcessStartInfo("bash") { ArgumentList = { "-c", command }, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output;
    }

    private static async Task<Dictionary<string, string>> WaitForSubmissionsAsync(HttpClient http, IReadOnlyList<(string Id, string Expected, TimeSpan At)> submissions, TimeSpan timeout)
    {
        var ends = new Dictionary<string, string>();
        var clock = Stopwatch.StartNew();
        foreach (var submission in submissions)
        {
            while (true)
            {
                string outcome;
                try
                {
                    using var response = await http.GetAsync($"/submissions/{submission.Id}");
                    var text = await response.Content.ReadAsStringAsync();
                    if (response.StatusCode == HttpStatusCode.NotFound)
                    {
                        outcome = "vanished (404)";
                    }
                    else if (!response.IsSuccessStatusCode)
                    {
                        outcome = "";
                    }
                    else
                    {
                        var view = JsonDocument.Parse(text).RootElement;
                        var status = view.GetProperty("status").GetString();
                        outcome = status switch
                        {
                            "queued" or "running" => "",
                            "done" => view.GetProperty("result").GetProperty("stdout").GetString() == submission.Expected ? "done, right" : "done, WRONG",
                            _ => status!,
                        };
                    }
                }
                catch (HttpRequestException)
                {
                    outcome = "";
                }
                if (outcome != "" || clock.Elapsed > timeout)
                {
                    ends[submission.Id] = outcome == "" ? "vanished (never ended)" : outcome;
                    break;
                }
                await Task.Delay(250);
            }
        }
        return ends;
    }

    private static string Markdown(List<Answer> answers, List<Fault> faults, Dictionary<string, string> ends, TimeSpan duration, int callers, TimeSpan loadEnded, string machine)
    {
        var inv = CultureInfo.InvariantCulture;
        string Counts(IEnumerable<string> outcomes) =>
            string.Join(", ", outcomes.GroupBy(o => o).OrderByDescending(g => g.Count()).Select(g => $"{g.Key}: {g.Count()}"));
        var wrong = answers.Count(a => a.Outcome.Contains("WRONG", StringComparison.Ordinal) || a.Outcome.Contains("unexpected", StringComparison.Ordinal) || a.Outcome.Contains("without Retry-After", StringComparison.Ordinal))
            + ends.Values.Count(v => v.Contains("WRONG", StringComparison.Ordinal));
        var unanswered = answers.Count(a => a.Outcome.StartsWith("unanswered", StringComparison.Ordinal));
        var vanished = ends.Values.Count(v => v.StartsWith("vanished", StringComparison.Ordinal));

        var md = new StringBuilder();
        md.AppendLine("# Soak: mixed load with Redis and executor faults").AppendLine();
        md.AppendLine(inv, $"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on: {machine}, with `bash scripts/soak.sh` ({duration.TotalMinutes:0} minutes, {callers} callers).").AppendLine();
        md.AppendLine("The stack is the AppHost's (Redis with its append-only file on a volume, the API, two executors on this machine's engine). Each caller sends one request after another, in turn: a python3 run, a bash run reading stdin, a C compile and run, a submission, a run that hits a 500 ms time limit, a run that floods output past a 4 KiB cap. After a 503 or 429 it waits a second. Every answer is checked: a 200 must be the right result (the tag it printed, the limit it hit) or say `internal_error` (its executor died under it); a refusal must carry Retry-After; an answer later than 30 s counts as unanswered. Every submission answered 202 is then read until it ends.").AppendLine();
        md.AppendLine("| what | count |").AppendLine("|---|---|");
        md.AppendLine(inv, $"| requests | {answers.Count} |");
        md.AppendLine(inv, $"| wrong answers (a wrong result, an unexpected status, a refusal without Retry-After) | **{wrong}** |");
        md.AppendLine(inv, $"| unanswered (no answer within 30 s) | **{unanswered}** |");
        md.AppendLine(inv, $"| submissions accepted (202) | {ends.Count} |");
        md.AppendLine(inv, $"| accepted submissions that vanished (404 or never ended) | **{vanished}** |");
        md.AppendLine(inv, $"| slowest answer | {answers.Max(a => a.Took.TotalMilliseconds):0} ms |").AppendLine();
        md.AppendLine(inv, $"Submissions' ends: {Counts(ends.Values)}.").AppendLine();
        var served = answers.Count(a => a.Outcome is "200 right" or "202");
        md.AppendLine(inv, $"Served: {served / loadEnded.TotalSeconds:0.0} requests a second (right results and accepted submissions). {callers} callers without pause ask for more than that on this machine, so most requests are refused: 503 with Retry-After at once (\"busy\" when every slot and queue place is taken), which is the answer the soak expects for the surplus.").AppendLine();
        md.AppendLine("## Answers by kind").AppendLine();
        md.AppendLine("| kind | answers |").AppendLine("|---|---|");
        foreach (var kind in answers.GroupBy(a => a.Kind).OrderBy(g => g.Key))
        {
            md.AppendLine(inv, $"| {kind.Key} | {Counts(kind.Select(a => a.Outcome))} |");
        }
        md.AppendLine().AppendLine("## Around each fault").AppendLine();
        md.AppendLine("Answers to requests sent in the 20 s before the fault, and in the 20 s after it.").AppendLine();
        md.AppendLine("| at | fault | 20 s before | 20 s after | slowest after |").AppendLine("|---|---|---|---|---|");
        foreach (var fault in faults)
        {
            var before = answers.Where(a => a.Sent >= fault.At - TimeSpan.FromSeconds(20) && a.Sent < fault.At).Select(a => a.Outcome);
            var after = answers.Where(a => a.Sent >= fault.At && a.Sent < fault.At + TimeSpan.FromSeconds(20)).ToList();
            md.AppendLine(inv, $"| {fault.At.TotalSeconds:0} s | {fault.What} | {Counts(before)} | {Counts(after.Select(a => a.Outcome))} | {(after.Count == 0 ? 0 : after.Max(a => a.Took.TotalMilliseconds)):0} ms |");
        }
        md.AppendLine().AppendLine(inv, $"Load ended at {loadEnded.TotalSeconds:0} s. `internal_error` is a run its executor died under: reported, not billed, not run again; `lost` is the same for a submission.");
        return md.ToString();
    }
}
