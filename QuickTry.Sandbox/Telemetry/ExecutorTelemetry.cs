using System.Diagnostics;
using System.Diagnostics.Metrics;
using QuickTry.Sandbox.Pool;
using QuickTry.Sandbox.Runs;

namespace QuickTry.Sandbox.Telemetry;

/// <summary>
/// The executor's spans and metrics. Names follow the OpenTelemetry semantic-convention style
/// (dotted, lower case, units in the instrument, not the name); attributes use the <c>quicktry.</c> namespace
/// except where a convention exists (<c>container.id</c>, <c>process.exit.code</c>).
/// </summary>
public sealed class ExecutorTelemetry : IDisposable
{
    public const string Name = "QuickTry.Executor";


    public static readonly ActivitySource Source = new(Name);

    private readonly Meter _meter;
    private readonly Counter<long> _runs;
    private readonly Histogram<double> _runDuration;
    private readonly Histogram<double> _queueDuration;
    private readonly Counter<long> _rejections;

    public ExecutorTelemetry(IMeterFactory meters, ContainerPool pool, RunAdmission admission)
    {
        _meter = meters.Create(Name);
        _runs = _meter.CreateCounter<long>("quicktry.runs", "{run}", "Runs that ended, by language and status.");
        _runDuration = _meter.CreateHistogram<double>("quicktry.run.duration", "s", "Time from admission to result.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });
        _queueDuration = _meter.CreateHistogram<double>("quicktry.run.queue.duration", "s", "Time a run waited for a slot.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10] });
        _rejections = _meter.CreateCounter<long>("quicktry.runs.rejected", "{run}", "Runs refused before they started, by reason.");
        _meter.CreateObservableGauge("quicktry.pool.warm", () => pool.Status().Select(s =>
            new Measurement<int>(s.Warm, new KeyValuePair<string, object?>("quicktry.language", s.Language))), "{container}", "Warm containers ready per language.");
        _meter.CreateObservableGauge("quicktry.pool.target", () => pool.Status().Select(s =>
            new Measurement<int>(s.Target, new KeyValuePair<string, object?>("quicktry.language", s.Language))), "{container}", "Pool size each language is refilled to.");
        _meter.CreateObservableUpDownCounter("quicktry.runs.queued", () => admission.Waiting, "{run}", "Runs waiting for a slot.");
        _meter.CreateObservableUpDownCounter("quicktry.runs.active", () => admission.Running, "{run}", "Runs executing.");
    }

    public void RunEnded(RunResult result, TimeSpan queued, TimeSpan total)
    {
        var tags = new TagList
        {
            { "quicktry.language", result.Lang },
            { "quicktry.run.status", result.Status.ToWireName() },
            { "quicktry.runtime", result.Runtime },
        };
        _runs.Add(1, tags);
        _runDuration.Record(total.TotalSeconds, tags);
        _queueDuration.Record(queued.TotalSeconds, new KeyValuePair<string, object?>("quicktry.language", result.Lang));
    }

    public void Rejected(string language, string reason) =>
        _rejections.Add(1, new KeyValuePair<string, object?>("quicktry.language", language), new KeyValuePair<string, object?>("quicktry.rejection.reason", reason));

    /// <summary>Puts what an operator filters on onto the run's span, and marks runs that did not end ok.</summary>
    public static void Describe(Activity? activity, RunResult result)
    {
        if (activity is null)
        {
            return;
        }
        activity.SetTag("quicktry.language.version", result.Version);
        activity.SetTag("quicktry.run.status", result.Status.ToWireName());
        activity.SetTag("quicktry.runtime", result.Runtime);
        activity.SetTag("process.exit.code", result.ExitCode);
        activity.SetTag("quicktry.run.signal", result.Signal);
        activity.SetTag("quicktry.run.truncated", result.StdoutTruncated || result.StderrTruncated);
        activity.SetTag("quicktry.run.wall_time_ms", result.WallTimeMs);
        activity.SetTag("quicktry.run.cpu_time_ms", result.CpuTimeMs);
        activity.SetTag("quicktry.run.memory_bytes", result.MemoryBytes);
        if (result.Status != RunStatus.Ok)
        {
            activity.SetStatus(ActivityStatusCode.Error, $"{result.Status.ToWireName()}: {result.Message}");
        }
    }

    /// <summary>The limits a run got, as span attributes.</summary>
    public static void DescribeLimits(Activity? activity, AppliedLimits limits)
    {
        activity?.SetTag("quicktry.limits.time_ms", limits.TimeMs);
        activity?.SetTag("quicktry.limits.compile_time_ms", limits.CompileTimeMs);
        activity?.SetTag("quicktry.limits.memory_mb", limits.MemoryMb);
        activity?.SetTag("quicktry.limits.pids", limits.Pids);
        activity?.SetTag("quicktry.limits.output_bytes", limits.OutputBytes);
    }

    public static void Fail(Activity? activity, Exception exception)
    {
        activity?.SetStatus(ActivityStatusCode.Error, exception.Message);
        activity?.AddException(exception);
    }

    public void Dispose() => _meter.Dispose();
}
