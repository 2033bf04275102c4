using QuickTry.Executor.Extensions;
using QuickTry.Executor.Languages;
using QuickTry.Sandbox.Languages;
using QuickTry.Executor.Runs;
using QuickTry.Executor.Sessions;
using QuickTry.Sandbox.Runs;

var builder = WebApplication.CreateBuilder(args);

// Telemetry, health checks and service discovery shared by every QuickTry service.
builder.AddServiceDefaults();

// Options, the Docker client, the warm pool and the run pipeline.
builder.AddExecutor();

var app = builder.Build();

// Errors as RFC 7807 problem details, never a stack trace.
app.UseExceptionHandler();
app.UseStatusCodePages();

// Live runs (output as it is written, interactive stdin) come over WebSockets.
app.UseWebSockets();

app.MapDefaultEndpoints();
app.MapExecutorRunApi();
app.MapExecutorLiveRunApi();
app.MapExecutorLanguagesApi();
app.MapExecutorSessionApi();

app.Run();

/// <summary>Entry point, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
