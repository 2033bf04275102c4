using QuickTry.AppHost;

var builder = DistributedApplication.CreateBuilder(args);

// Quotas and the run queue, shared by every API replica and every executor.
var redis = builder.AddQuickTryRedis("redis");

// Executors pull runs from the queue and run them in sandbox containers, each on its Docker engine
// (QuickTry:Executors names them; one on the local engine by default).
var executors = builder.AddExecutors(redis);

// The public API (and the editor page) on a fixed local port, not behind Aspire's proxy: the proxy
// would make every caller 127.0.0.1, and per-client limits and quotas are keyed by the caller's address.
builder.AddProject<Projects.QuickTry_Api>("api")
    .WithEndpoint("http", endpoint => endpoint.IsProxied = false)
    .WithReference(redis).WaitFor(redis)
    .WithExecutors(executors)
    .WithHttpHealthCheck("/health")
    .WithExternalHttpEndpoints();

builder.Build().Run();
