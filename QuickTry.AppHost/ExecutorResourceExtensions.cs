namespace QuickTry.AppHost;

internal static class ExecutorResourceExtensions
{
    /// <summary>The repository's docker-images folder, which holds the language definitions.</summary>
    public static string LanguagesFolder(this IDistributedApplicationBuilder builder) =>
        Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", "docker-images"));

    /// <summary>
    /// The executors to start: <c>QuickTry:Executors:&lt;name&gt;</c>, each with an optional
    /// <c>DockerEndpoint</c> (another engine, local or remote), e.g.
    /// <c>QuickTry__Executors__executor-2__DockerEndpoint=unix:///run/qt2.sock</c>. One <c>executor</c> on the
    /// local engine when none is configured. Each pulls runs from the shared queue in Redis.
    /// </summary>
    public static IReadOnlyList<IResourceBuilder<ProjectResource>> AddExecutors(
        this IDistributedApplicationBuilder builder, IResourceBuilder<RedisResource> redis)
    {
        var configured = builder.Configuration.GetSection("QuickTry:Executors").GetChildren().ToList();
        var names = configured.Count == 0 ? [("executor", (string?)null)] : configured.Select(c => (c.Key, c["DockerEndpoint"])).ToList();
        var executors = new List<IResourceBuilder<ProjectResource>>();
        foreach (var (name, endpoint) in names)
        {
            // Internal, not behind Aspire's proxy (it would only add a hop to every direct run). The first
            // keeps the launch profile's port (5180); the others get free ports of their own.
            var executor = executors.Count == 0
                ? builder.AddProject<Projects.QuickTry_Executor>(name).WithEndpoint("http", e => e.IsProxied = false)
                : builder.AddProject<Projects.QuickTry_Executor>(name, o => o.ExcludeLaunchProfile = true)
                    .WithHttpEndpoint(port: FreePort(), isProxied: false)
                    .WithEnvironment("ASPNETCORE_ENVIRONMENT", "Development");
            executor
                .WithEnvironment("Executor__InstanceName", name)
                .WithEnvironment("Executor__LanguagesPath", builder.LanguagesFolder())
                .WithSandboxRuntime(builder.Configuration["QuickTry:SandboxRuntime"])
                .WithReference(redis)
                .WithHttpHealthCheck("/health");
            if (!string.IsNullOrEmpty(endpoint))
            {
                executor.WithEnvironment("Executor__DockerEndpoint", endpoint);
            }
            executors.Add(executor);
        }
        return executors;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The API knows every executor, for runs while Redis is down (and the language list).</summary>
    public static IResourceBuilder<ProjectResource> WithExecutors(
        this IResourceBuilder<ProjectResource> api, IReadOnlyList<IResourceBuilder<ProjectResource>> executors)
    {
        for (var i = 0; i < executors.Count; i++)
        {
            api.WithReference(executors[i]).WaitFor(executors[i])
                .WithEnvironment($"Executor__BaseUrls__{i}", $"http://{executors[i].Resource.Name}");
        }
        return api;
    }

    /// <summary>
    /// <c>QuickTry:SandboxRuntime</c> (e.g. <c>runsc</c>, set by <c>scripts/start.sh --gvisor</c>) becomes the
    /// executor's <c>Executor:Sandbox:Runtime</c>; unset leaves the executor's own configuration alone.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithSandboxRuntime(this IResourceBuilder<ProjectResource> executor, string? runtime) =>
        string.IsNullOrEmpty(runtime) ? executor : executor.WithEnvironment("Executor__Sandbox__Runtime", runtime);
}
