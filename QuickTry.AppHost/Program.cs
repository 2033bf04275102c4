using QuickTry.AppHost;

var builder = DistributedApplication.CreateBuilder(args);

// Quotas shared by every API replica.
var redis = builder.AddQuickTryRedis("redis");

// Runs code in sandbox containers on the local Docker engine.
var executor = builder.AddProject<Projects.QuickTry_Executor>("executor")
    // Internal, one replica: a proxy in front of it would only add a hop to every run.
    .WithEndpoint("http", endpoint => endpoint.IsProxied = false)
    .WithEnvironment("Executor__LanguagesPath", builder.LanguagesFolder())
    .WithSandboxRuntime(builder.Configuration["QuickTry:SandboxRuntime"])
    .WithHttpHealthCheck("/health");

// The public API (and the editor page) on a fixed local port, not behind Aspire's proxy: the proxy
// would make every caller 127.0.0.1, and per-client limits and quotas are keyed by the caller's address.
builder.AddProject<Projects.QuickTry_Api>("api")
    .WithEndpoint("http", endpoint => endpoint.IsProxied = false)
    .WithReference(redis).WaitFor(redis)
    .WithReference(executor).WaitFor(executor)
    .WithHttpHealthCheck("/health")
    .WithExternalHttpEndpoints();

builder.Build().Run();
