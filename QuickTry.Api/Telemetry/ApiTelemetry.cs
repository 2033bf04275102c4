using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace QuickTry.Api.Telemetry;

/// <summary>The gateway's spans and metrics (names in the OpenTelemetry semantic-convention style).</summary>
public sealed class ApiTelemetry : IDisposable
{
    public const string Name = "QuickTry.Api";


    public static readonly ActivitySource Source = new(Name);

    private readonly Meter _meter;
    private readonly Counter<long> _rejections;
    private readonly Counter<long> _quotaStoreErrors;

    public ApiTelemetry(IMeterFactory meters)
    {
        _meter = meters.Create(Name);
        _rejections = _meter.CreateCounter<long>("quicktry.gateway.rejections", "{request}",
            "Run requests refused by the gateway or the executor, by reason (rate_limit, concurrency, quota, busy, unavailable).");
        _quotaStoreErrors = _meter.CreateCounter<long>("quicktry.quota.store.errors", "{error}",
            "Quota operations Redis failed or was too slow for; the in-process fallback answered them.");
    }

    public void Rejected(string reason) =>
        _rejections.Add(1, new KeyValuePair<string, object?>("quicktry.rejection.reason", reason));

    public void QuotaStoreFailed(string operation) =>
        _quotaStoreErrors.Add(1, new KeyValuePair<string, object?>("quicktry.quota.operation", operation));

    public void Dispose() => _meter.Dispose();
}
