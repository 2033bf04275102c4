using System.ComponentModel.DataAnnotations;

namespace QuickTry.Api.Quotas;

/// <summary>How the quota store behaves when Redis misbehaves (section <c>Quotas</c>).</summary>
public sealed class QuotaOptions
{
    public const string Section = "Quotas";

    /// <summary>Longest a quota operation may wait for Redis before the fallback answers.</summary>
    [Range(10, 10_000)]
    public int RedisTimeoutMs { get; set; } = 250;

    /// <summary>After a Redis failure, how long to use the fallback before trying Redis again.</summary>
    [Range(1, 600)]
    public int RetryRedisAfterSeconds { get; set; } = 5;
}
