using Microsoft.Extensions.Options;
using System.Diagnostics;
using QuickTry.Api.Clients;
using QuickTry.Api.Extensions;
using QuickTry.Api.Languages;
using QuickTry.Api.Quotas;
using QuickTry.Api.Telemetry;

namespace QuickTry.Api.Runs;

/// <summary>
/// What every run passes before it is sent anywhere, synchronous or submitted: the gateway's validation,
/// the limits against their ceilings, and the quota reservation of its worst case. And the one rule for
/// what a run's end costs.
/// </summary>
public sealed class RunGate(LanguageDirectory languages, IQuotaStore quotas, RedisQuotaStore sharedQuotas, ApiTelemetry telemetry,
    IOptions<GatewayOptions> gateway)
{
    /// <summary>A ticket to run (the executor's request, its language, the reservation), or the refusal to answer.</summary>
    public async Task<(RunTicket? Ticket, Refusal? Refusal)> PassAsync(
        ClientIdentity client, RunRequest request, CancellationToken cancellationToken)
    {
        var (language, errors) = await ValidateAsync(request, cancellationToken);
        if (errors is not null)
        {
            return (null, Refusal.Invalid(errors));
        }
        if (language is null)
        {
            return (null, Refusal.Unavailable(TimeSpan.FromSeconds(5), "The executor is unavailable."));
        }

        // Limits outside their bounds are a 400 before anything is priced: a request above a ceiling must
        // not be told its quota is exhausted.
        var limitErrors = LimitRules.Violations(request.Limits, language.MaxLimits)
            .GroupBy(v => v.Field).ToDictionary(g => g.Key, g => g.Select(v => v.Error).ToArray());
        if (limitErrors.Count > 0)
        {
            return (null, Refusal.Invalid(limitErrors));
        }

        var reserveMs = WorstCaseMs(request, language, client.Plan.Sandbox.Runtime);
        if (request.Tests is { Count: > 0 } tests && TestCaseErrors(tests.Count, reserveMs, client) is { } testErrors)
        {
            return (null, Refusal.Invalid(testErrors));
        }
        QuotaDecision decision;
        using (var check = ApiTelemetry.Source.StartActivity("quota.reserve"))
        {
            // The rate limiter already let this request through; the quota decides now.
            check?.SetTag("quicktry.client", client.DisplayName);
            check?.SetTag("quicktry.plan", client.PlanName);
            check?.SetTag("quicktry.language", language.Name);
            check?.SetTag("quicktry.quota.reserve_ms", reserveMs);
            decision = await quotas.ReserveAsync(client, reserveMs, cancellationToken);
            check?.SetTag("quicktry.quota.decision", decision is QuotaDecision.Granted ? "granted" : "exhausted");
            check?.SetTag("quicktry.quota.runs_used", decision.Usage.Runs);
            check?.SetTag("quicktry.quota.run_ms_used", decision.Usage.RunMs);
            if (decision is QuotaDecision.Exhausted)
            {
                check?.SetStatus(ActivityStatusCode.Error, "quota exhausted");
            }
        }
        if (decision is QuotaDecision.Exhausted exhausted)
        {
            telemetry.Rejected("quota");
            Activity.Current?.SetStatus(ActivityStatusCode.Error, "quota exhausted");
            return (null, new Refusal(StatusCodes.Status429TooManyRequests, $"Quota exhausted: {exhausted.What}.",
                $"This client's {exhausted.What} quota for the current window is used up (plan '{client.PlanName}'). "
                + $"It resets in {Refusal.Seconds(exhausted.Usage.ResetsIn)} s; GET /quota shows the details.",
                exhausted.Usage.ResetsIn, Type: "https://quicktry.dev/problems/quota-exhausted"));
        }
        var reservation = ((QuotaDecision.Granted)decision).Reservation;
        return (new RunTicket(ForExecutor(request, language), language, reservation), null);
    }

    /// <summary>
    /// Settles a reservation: a result is billed its run and compile time; an internal error is ours (the
    /// engine failed, the executor was lost), not the caller's, and is not billed; no result refunds it all.
    /// </summary>
    public async Task SettleAsync(QuotaReservation reservation, RunResult? result)
    {
        var (usedMs, billed) = Charge(result);
        using var activity = ApiTelemetry.Source.StartActivity("quota.settle");
        activity?.SetTag("quicktry.quota.used_ms", usedMs);
        activity?.SetTag("quicktry.quota.counted", billed);
        await quotas.SettleAsync(reservation, usedMs, billed, CancellationToken.None);
    }

    /// <summary>
    /// Settles the reservation of a live run its caller left (which killed it): billed the time it ran,
    /// as a result would have been; refunded if it never started.
    /// </summary>
    public async Task SettleAbandonedAsync(QuotaReservation reservation, TimeSpan? ranFor)
    {
        var usedMs = (long)Math.Ceiling(ranFor?.TotalMilliseconds ?? 0);
        using var activity = ApiTelemetry.Source.StartActivity("quota.settle");
        activity?.SetTag("quicktry.quota.used_ms", usedMs);
        activity?.SetTag("quicktry.quota.counted", ranFor is not null);
        await quotas.SettleAsync(reservation, Math.Min(usedMs, reservation.ReservedMs), ranFor is not null, CancellationToken.None);
    }

    /// <summary>
    /// What another replica needs to settle this reservation (a submission ends wherever): its Redis key and
    /// size. Null for a reservation kept in process (Redis was failing): that one stays charged at its worst case.
    /// </summary>
    public static string? Settlement(QuotaReservation reservation) =>
        reservation.Store is RedisQuotaStore ? $"{reservation.ReservedMs} {reservation.Key}" : null;

    /// <summary>Settles a reservation from its <see cref="Settlement"/>, by the same rule as <see cref="SettleAsync(QuotaReservation, RunResult?)"/>.</summary>
    public async Task SettleAsync(string? settlement, RunResult? result)
    {
        var parts = (settlement ?? "").Split(' ', 2);
        if (parts.Length != 2 || !long.TryParse(parts[0], out var reservedMs))
        {
            return;
        }
        var (usedMs, billed) = Charge(result);
        using var activity = ApiTelemetry.Source.StartActivity("quota.settle");
        activity?.SetTag("quicktry.quota.used_ms", usedMs);
        activity?.SetTag("quicktry.quota.counted", billed);
        await sharedQuotas.SettleAsync(parts[1], reservedMs, usedMs, billed);
    }

    /// <summary>A result is billed its run and compile time; an internal error (ours) or no result is not billed.</summary>
    private static (long UsedMs, bool Billed) Charge(RunResult? result) =>
        result is not null && result.Status != RunStatus.InternalError
            ? ((long)Math.Ceiling(result.WallTimeMs + (result.Compile?.WallTimeMs ?? 0)), true)
            : (0, false);

    /// <summary>
    /// A judged run's bounds at the gateway: its plan's count of cases, and a worst case (every case at its
    /// time limit) the gateway would wait for. Null when it is within both.
    /// </summary>
    private Dictionary<string, string[]>? TestCaseErrors(int count, long worstCaseMs, ClientIdentity client)
    {
        var maxCases = client.Plan.MaxTestCases;
        if (count > maxCases)
        {
            return new() { ["tests"] = [$"At most {maxCases} test cases are allowed on plan '{client.PlanName}' (sent {count})."] };
        }
        var ceilingMs = gateway.Value.ExecutorTimeoutSeconds * 1000L;
        if (worstCaseMs > ceilingMs)
        {
            return new()
            {
                ["tests"] = [$"{count} test cases at their time limit (and the compile step) could take {worstCaseMs} ms, more than the "
                    + $"{ceilingMs} ms a run may take here; send fewer cases or a lower limits.timeMs."],
            };
        }
        return null;
    }

    /// <summary>What the gateway checks itself: enough to pick the language and reserve quota.</summary>
    private async Task<(LanguageInfo?, Dictionary<string, string[]>?)> ValidateAsync(RunRequest request, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        foreach (var (field, error) in RequestRules.Violations(request))
        {
            errors[field] = errors.TryGetValue(field, out var earlier) ? [.. earlier, error] : [error];
        }
        LanguageInfo? language = null;
        if (!string.IsNullOrWhiteSpace(request.EffectiveLang))
        {
            var all = await languages.GetAsync(cancellationToken);
            if (all is null)
            {
                return (null, errors.Count > 0 ? errors : null);
            }
            language = LanguageDirectory.Resolve(all, request.EffectiveLang, request.Version, out var error);
            if (error is { } refused)
            {
                errors[refused.Field] = [refused.Message];
            }
        }
        return (language, errors.Count > 0 ? errors : null);
    }

    /// <summary>
    /// A run's worst case under <paramref name="runtime"/> (its plan's): its time limit (once per test case
    /// of a judged run), plus its compile limit for compiled languages. What its quota reservation holds, and
    /// what the gateway waits for a started run.
    /// </summary>
    public static long WorstCaseMs(RunRequest request, LanguageInfo language, string? runtime)
    {
        var limits = LimitRules.Apply(request.Limits, language.LimitsUnder(runtime));
        var run = (long)Math.Max(1, limits.TimeMs) * Math.Max(1, request.Tests?.Count ?? 1);
        var compile = language.Compiled ? Math.Max(1, limits.CompileTimeMs) : 0;
        return (long)run + compile;
    }

    /// <summary>
    /// The request as the executor receives it: the language by its name at the exact version picked here
    /// (an executor whose image is another version refuses it rather than run something else), synonyms
    /// resolved, nothing else of the caller's.
    /// </summary>
    private static RunRequest ForExecutor(RunRequest request, LanguageInfo language) => new()
    {
        Lang = language.Name,
        Version = language.Version == LanguageVersions.Unknown ? null : language.Version,
        Code = request.Code,
        Stdin = request.EffectiveStdin,
        Args = request.Args,
        Files = request.Files,
        Limits = request.Limits,
        Tests = request.Tests,
        Compare = request.Compare,
        Tolerance = request.Tolerance,
        StopOnFirstFailure = request.StopOnFirstFailure,
    };
}

/// <summary>A run that passed the gate: the executor's request, its language and its quota reservation.</summary>
public sealed record RunTicket(RunRequest Request, LanguageInfo Language, QuotaReservation Reservation);
