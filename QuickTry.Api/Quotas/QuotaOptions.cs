using System.ComponentModel.DataAnnotations;

namespace QuickTry.Api.Quotas;

/// <summary>How the quota store behaves when Redis misbehaves (section <c>Quotas</c>).</summary>
public sealed class QuotaOptions
{
    public const string Section = "Quotas";

    /// <summary>
    /// Longest a quota operation may wait for Redis before the fallback answers. A second, as the Redis
    /// client's own timeout: at 250 ms a 2-core machine whose cores were busy with runs tripped it with Redis
    /// healthy, and the quota went approximate for the next 5 s. A Redis that is down refuses at once.
    /// </summary>
    [Range(10, 10_000)]
    public int RedisTimeoutMs { get; set; } = 1_000;

    /// <summary>After a Redis failure, how long to use the fallback before trying Redis again.</summary>
    [Range(1, 600)]
    public int RetryRedisAfterSeconds { get; set; } = 5;
}
