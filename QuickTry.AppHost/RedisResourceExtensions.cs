using Aspire.Hosting.ApplicationModel;

namespace QuickTry.AppHost;

internal static class RedisResourceExtensions
{
    /// <summary>Image built by scripts/setup.sh from docker-images/redis (Debian's redis-server).</summary>
    public const string LocalImage = "quicktry/redis";
    public const string LocalTag = "latest";

    /// <summary>Host port Redis is published on unless <c>QuickTry:RedisPort</c> says otherwise.</summary>
    public const int DefaultPort = 6395;

    /// <summary>
    /// Redis as a container, durable and reachable across a restart of its engine:
    /// <list type="bullet">
    /// <item><c>QuickTry:RedisImage</c>: <c>local</c> (default) uses ours, which needs no registry;
    /// <c>official</c> uses Aspire's default Redis image, pulled from its registry.</item>
    /// <item>Append-only file with <c>QuickTry:RedisAppendFsync</c> (<c>everysec</c>, default: a crash loses
    /// at most the last second of writes; <c>always</c>: none, every write waits for the disk), in a named
    /// volume (<c>QuickTry:RedisDataVolume</c>) that outlives the container and the AppHost.</item>
    /// <item>Published on a fixed host port (<c>QuickTry:RedisPort</c>), not behind Aspire's proxy: after
    /// the engine restarts, its restart policy brings Redis back, but on a new ephemeral port the proxy
    /// never learns; it then accepted connections and never answered.</item>
    /// </list>
    /// </summary>
    public static IResourceBuilder<RedisResource> AddQuickTryRedis(this IDistributedApplicationBuilder builder, string name)
    {
        var settings = builder.Configuration.GetSection("QuickTry");
        var fsync = settings["RedisAppendFsync"] ?? "everysec";
        if (fsync is not ("everysec" or "always"))
        {
            throw new InvalidOperationException($"QuickTry:RedisAppendFsync must be 'everysec' or 'always' (is '{fsync}').");
        }
        var port = DefaultPort;
        if (settings["RedisPort"] is { } configuredPort && (!int.TryParse(configuredPort, out port) || port is < 1 or > 65535))
        {
            throw new InvalidOperationException($"QuickTry:RedisPort must be a port number 1..65535 (is '{configuredPort}').");
        }

        // With an ASP.NET dev certificate present Aspire would switch Redis to TLS; the API talks plain TCP on loopback.
#pragma warning disable ASPIRECERTIFICATES001 // evaluation API; the only switch for this today.
        var redis = builder.AddRedis(name, port).WithoutHttpsCertificate();
#pragma warning restore ASPIRECERTIFICATES001
        // "tcp": the name Aspire gives Redis's endpoint.
        redis.WithEndpoint("tcp", endpoint => endpoint.IsProxied = false);
        // Brought back by the engine when it dies or the engine restarts (DCP would leave it down).
        redis.WithContainerRuntimeArgs("--restart", "unless-stopped");
        // The volume also enables Aspire's snapshot (--save 60 1), kept as a compact restart point.
        redis.WithDataVolume(settings["RedisDataVolume"] is { Length: > 0 } volume ? volume : null);
        // Aspire runs `/bin/sh -c "redis-server --requirepass … --save …"`: the append-only options join that one command.
        redis.WithArgs(context =>
        {
            var command = context.Args.Count - 1;
            context.Args[command] = $"{context.Args[command]} --appendonly yes --appendfsync {fsync}";
        });
        var choice = settings["RedisImage"] ?? "local";
        switch (choice)
        {
            case "local":
                redis.WithImageRegistry(null).WithImage(LocalImage, LocalTag).WithImagePullPolicy(ImagePullPolicy.Never);
                break;
            case "official":
                break;
            default:
                throw new InvalidOperationException($"QuickTry:RedisImage must be 'local' or 'official' (is '{choice}').");
        }
        return redis;
    }
}
