using QuickTry.AppHost;

var builder = DistributedApplication.CreateBuilder(args);

// Quotas shared by every API replica.
var redis = builder.AddQuickTryRedis("redis");

// Runs code in sandbox containers on the local Docker engine.
var executor = builder.AddProject<Projects.QuickTry_Executor>("executor")
    // Internal, one replica: a proxy in front of it would only add a hop to every run.
    .WithEndpoint("http", endpoint => endpoint.IsProxied = false)
    .WithEnvironment("Executor__LanguagesPath", builder.LanguagesFolder())
    .WithHttpHealthCheck("/health");

// The public API (and the editor page) on a fixed local port.
builder.AddProject<Projects.QuickTry_Api>("api")
    .WithReference(redis).WaitFor(redis)
    .WithReference(executor).WaitFor(executor)
    .WithHttpHealthCheck("/health")
    .WithExternalHttpEndpoints();

builder.Build().Run();
