using Aspire.Hosting.ApplicationModel;

namespace QuickTry.AppHost;

internal static class RedisResourceExtensions
{
    /// <summary>Image built by scripts/setup.sh from docker-images/redis (Debian's redis-server).</summary>
    public const string LocalImage = "quicktry/redis";
    public const string LocalTag = "latest";

    /// <summary>
    /// Redis as a container. <c>QuickTry:RedisImage</c> picks the image: <c>local</c> (default) uses ours,
    /// which needs no registry; <c>official</c> uses Aspire's default Redis image, pulled from its registry.
    /// </summary>
    public static IResourceBuilder<RedisResource> AddQuickTryRedis(this IDistributedApplicationBuilder builder, string name)
    {
        // With an ASP.NET dev certificate present Aspire would switch Redis to TLS; the API talks plain TCP on loopback.
#pragma warning disable ASPIRECERTIFICATES001 // evaluation API; the only switch for this today.
        var redis = builder.AddRedis(name).WithoutHttpsCertificate();
#pragma warning restore ASPIRECERTIFICATES001
        // Brought back by the engine when it dies or the engine restarts (DCP would leave it down), with
        // its data directory: quota counters survive a Redis or engine restart, not a new AppHost run.
        redis.WithContainerRuntimeArgs("--restart", "unless-stopped");
        var choice = builder.Configuration["QuickTry:RedisImage"] ?? "local";
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
