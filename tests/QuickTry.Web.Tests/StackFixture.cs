using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Playwright;

namespace QuickTry.Web.Tests;

/// <summary>
/// The real stack (AppHost: Redis, executor, API with the editor page) and Debian's Chromium driven by
/// Playwright. Anonymous callers get a roomy plan; the key <see cref="TinyKey"/> a plan of one run.
/// </summary>
public sealed class StackFixture : IAsyncLifetime
{
    public const string TinyKey = "tiny-plan-key-0123456789";
    public const string TypistKey = "typist-key-0123456789";

    private DistributedApplication? _app;
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;
    public Uri ApiUrl { get; private set; } = null!;

    /// <summary>Screenshots of failures (and the README's picture) go here.</summary>
    public static string ScreenshotFolder
    {
        get
        {
            var folder = Environment.GetEnvironmentVariable("QUICKTRY_SCREENSHOTS")
                ?? Path.Combine(RepositoryRoot(), "artifacts", "screenshots");
            Directory.CreateDirectory(folder);
            return folder;
        }
    }

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.QuickTry_AppHost>(cts.Token);
        builder.CreateResourceBuilder<ProjectResource>("api")
            .WithEnvironment("Clients__Plans__anonymous__RunsPerWindow", "1000")
            .WithEnvironment("Clients__Plans__anonymous__Burst", "100")
            .WithEnvironment("Clients__Plans__tiny__RunsPerWindow", "1")
            // Quotas are kept per key name in the AppHost's Redis, which keeps its data between runs: a name of
            // this run's own, or a second run within the quota window would find the one run already used.
            .WithEnvironment("Clients__ApiKeys__0__Name", "tiny-" + Guid.NewGuid().ToString("N")[..8])
            .WithEnvironment("Clients__ApiKeys__0__Key", TinyKey)
            .WithEnvironment("Clients__ApiKeys__0__Plan", "tiny")
            .WithEnvironment("Clients__ApiKeys__1__Name", "typist")
            .WithEnvironment("Clients__ApiKeys__1__Key", TypistKey)
            .WithEnvironment("Clients__ApiKeys__1__Plan", "standard");
        builder.CreateResourceBuilder<ProjectResource>("executor")
            .WithEnvironment("Executor__InstanceName", "web-test-" + Guid.NewGuid().ToString("N")[..8])
            .WithEnvironment("Executor__Pool__WarmPerLanguage", "0")
            .WithEnvironment("Executor__Pool__WarmByLanguage__python3", "2")
            .WithEnvironment("Executor__Pool__WarmByLanguage__c", "1");
        foreach (var project in builder.Resources.OfType<ProjectResource>())
        {
            // No dashboard in tests: the OTLP exporter's flush would hold every stop for ~10 s.
            project.Annotations.Add(new EnvironmentCallbackAnnotation(context => context.EnvironmentVariables.Remove("OTEL_EXPORTER_OTLP_ENDPOINT")));
        }
        _app = await builder.BuildAsync(cts.Token);
        await _app.StartAsync(cts.Token);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync("api", cts.Token);
        ApiUrl = _app.GetEndpoint("api", "http");
        // Aspire's "healthy" includes Degraded (200): runs are refused with 503 until the executor announces itself.
        using (var http = new HttpClient { BaseAddress = ApiUrl })
        {
            await Eventually.ReturnsAsync("the API's /health Healthy", async () => await (await http.GetAsync("/health", cts.Token)).Content.ReadAsStringAsync(cts.Token),
                health => health == "Healthy", TimeSpan.FromMinutes(4), TimeSpan.FromMilliseconds(250));
        }

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("QUICKTRY_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            // Without the background-networking flags Chromium keeps trying to reach the internet.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }
        _playwright?.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "QuickTry.sln")))
            {
                return dir.FullName;
            }
        }
        return AppContext.BaseDirectory;
    }
}

[CollectionDefinition(Name)]
public sealed class StackCollection : ICollectionFixture<StackFixture>
{
    public const string Name = "Running stack";
}
