using QuickTry.Api.Clients;
using QuickTry.Api.Extensions;
using QuickTry.Api.Languages;
using QuickTry.Api.Live;
using QuickTry.Api.Mcp;
using QuickTry.Api.Piston;
using QuickTry.Api.Quotas;
using QuickTry.Api.Runs;
using QuickTry.Api.Sessions;
using QuickTry.Api.Submissions;
using Scalar.AspNetCore;

var builder = WebApplication.CreateBuilder(args);

// Telemetry, health checks and service discovery shared by every QuickTry service.
builder.AddServiceDefaults();

// Clients and plans, rate limits, Redis quotas, the run queue, submissions, the executor client, OpenAPI.
builder.AddApi();

// The Model Context Protocol at /mcp, for agents: run_code and list_languages under the caller's plan.
builder.AddMcp();

var app = builder.Build();

// Errors as RFC 7807 problem details, never a stack trace.
app.UseExceptionHandler();
app.UseStatusCodePages();

// The editor page and its assets (built from ClientApp/), served before any client logic.
app.UseDefaultFiles();
app.UseStaticFiles();

// The client's address, corrected only behind configured proxies; then who the client is.
app.UseForwardedHeaders();
app.UseMiddleware<ClientIdentificationMiddleware>();
app.UseMiddleware<McpAccessMiddleware>();
app.UseRateLimiter();

// Interactive runs come over WebSockets.
app.UseWebSockets();

// The API description and its interactive reference at /scalar, with system fonts rather than a font CDN.
app.MapOpenApi();
app.MapScalarApiReference(options => options.DisableDefaultFonts());

app.MapDefaultEndpoints();
app.MapRunApi();
app.MapLiveRunApi();
app.MapSubmissionsApi();
app.MapLanguagesApi();
app.MapQuotaApi();
app.MapSessionsApi();

// Piston v2's execute and runtimes, for the tools that already speak Piston.
app.MapPistonApi();

// Agents: the Model Context Protocol (Streamable HTTP).
app.MapMcpEndpoint();

app.Run();

/// <summary>Entry point, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
