using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Net;
using System.Text.Json;
using QuickTry.Api.Runs;

namespace QuickTry.Api.Tests;

/// <summary>
/// Stands in for QuickTry.Executor where the gateway's own behaviour is under test (validation, limits,
/// quotas, headers). The real executor is exercised by the executor and AppHost tests.
/// </summary>
public sealed class FakeExecutor : HttpMessageHandler
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static readonly LanguageInfo[] Languages =
    [
        new("c", "C (GCC)", "12.2.0", ["gcc"], true, "main.c", true, new AppliedLimits(3_000, 10_000, 128, 64, 65_536), new AppliedLimits(20_000, 60_000, 1_024, 512, 1_048_576), null, "c", []),
        new("python3", "Python 3", "3.11.2", ["py", "python"], false, "main.py", true, new AppliedLimits(3_000, 10_000, 128, 64, 65_536), new AppliedLimits(20_000, 60_000, 1_024, 512, 1_048_576), null, "python3", []),
        new("python3-3.13", "Python 3", "3.13.5", [], false, "main.py", true, new AppliedLimits(3_000, 10_000, 128, 64, 65_536), new AppliedLimits(20_000, 60_000, 1_024, 512, 1_048_576), null, "python3", ["numpy"]),
    ];

    public ConcurrentQueue<RunRequest> Requests { get; } = new();

    /// <summary>How the next /execute calls are answered; by default an ok run that echoes stdin.</summary>
    public Func<RunRequest, Task<HttpResponseMessage>> Execute { get; set; } = request => Task.FromResult(Ok(request, wallTimeMs: 100));

    public bool Down { get; set; }

    public static HttpResponseMessage Ok(RunRequest request, double wallTimeMs) => new(HttpStatusCode.OK)
    {
        Content = JsonContent.Create(new RunResult
        {
            RunId = Guid.NewGuid().ToString("N"),
            Lang = request.Lang!,
            Version = "test",
            Status = RunStatus.Ok,
            ExitCode = 0,
            Stdout = request.Stdin ?? "",
            Output = request.Stdin ?? "",
            WallTimeMs = wallTimeMs,
            Limits = new AppliedLimits(3_000, 10_000, 128, 64, 65_536),
        }, options: Json),
    };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (Down)
        {
            throw new HttpRequestException("Connection refused (fake executor is down)");
        }
        switch (request.RequestUri!.AbsolutePath)
        {
            case "/languages":
                return new HttpResponseMessage(HttpStatusCode.OK) { Content = JsonContent.Create(Languages, options: Json) };
            case "/execute":
                var run = (await request.Content!.ReadFromJsonAsync<RunRequest>(Json, cancellationToken))!;
                Requests.Enqueue(run);
                return await Execute(run);
            default:
                return new HttpResponseMessage(HttpStatusCode.NotFound);
        }
    }
}
