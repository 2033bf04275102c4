using Microsoft.Extensions.Options;
using QuickTry.Protocol;

namespace QuickTry.Api.Clients;

/// <summary>What a plan allows: a short-term rate and a longer-term quota.</summary>
public sealed class PlanOptions
{
    /// <summary>Sustained /run requests per minute (token bucket refill).</summary>
    public int RequestsPerMinute { get; set; } = 60;

    /// <summary>Requests allowed at once after a quiet spell (token bucket size).</summary>
    public int Burst { get; set; } = 10;

    /// <summary>Runs per quota window, counted in Redis across every API replica.</summary>
    public int RunsPerWindow { get; set; } = 1_000;

    /// <summary>Seconds of run wall time per quota window.</summary>
    public int RunSecondsPerWindow { get; set; } = 600;

    /// <summary>Length of the quota window; counters reset when it ends.</summary>
    public int WindowSeconds { get; set; } = 3_600;

    /// <summary>Test cases one judged run may have (at most the executors' <c>Executor:Limits:MaxTestCases</c>).</summary>
    public int MaxTestCases { get; set; } = 30;

    /// <summary>Sessions a client may have open at once (0: none).</summary>
    public int MaxSessions { get; set; } = 2;

    /// <summary>A session's maximum life, in seconds (at most the executors' <c>Executor:Sessions:MaxLifeSeconds</c>).</summary>
    public int MaxSessionLifeSeconds { get; set; } = 1_800;

    /// <summary>
    /// Isolation the plan's runs need at least: <c>container</c> gives every run its own container (e.g. for
    /// anonymous callers); unset leaves it to the executor's configuration. The stricter one applies.
    /// </summary>
    public Isolation? Isolation { get; set; }

    /// <summary>
    /// OCI runtime of the plan's runs, e.g. <c>runsc</c> (gVisor) for anonymous callers; unset leaves it to
    /// the executor's configuration. When set it decides (list it in the executor's
    /// <c>Executor:Sandbox:PlanRuntimes</c> so its sandboxes are kept warm).
    /// </summary>
    public string? Runtime { get; set; }

    /// <summary>What the plan asks of the sandbox, as the executor receives it.</summary>
    public PlanSandbox Sandbox => new(Isolation, Runtime);
}

public sealed class ApiKeyOptions
{
    /// <summary>Shown in /quota, logs and traces; the key itself never is.</summary>
    public string Name { get; set; } = "";
    public string Key { get; set; } = "";
    public string Plan { get; set; } = ClientOptions.AnonymousPlan;

    /// <summary>
    /// Signs this key's submission callbacks (HMAC-SHA256 over the body). A key without one cannot ask for
    /// callbacks; callers without a key cannot either.
    /// </summary>
    public string? CallbackSecret { get; set; }
}

/// <summary>Plans and API keys (section <c>Clients</c>).</summary>
public sealed class ClientOptions
{
    public const string Section = "Clients";
    public const string AnonymousPlan = "anonymous";

    /// <summary>Plans by name; <c>anonymous</c> applies to callers without a key.</summary>
    public Dictionary<string, PlanOptions> Plans { get; set; } = new(StringComparer.Ordinal);

    public List<ApiKeyOptions> ApiKeys { get; set; } = [];

    /// <summary>Proxies whose X-Forwarded-For is believed; no one's is by default.</summary>
    public List<string> TrustedProxies { get; set; } = [];

    public PlanOptions Plan(string name) => Plans.TryGetValue(name, out var plan) ? plan : new PlanOptions();
}

internal sealed class ClientOptionsValidator : IValidateOptions<ClientOptions>
{
    public ValidateOptionsResult Validate(string? name, ClientOptions options)
    {
        var failures = new List<string>();
        if (!options.Plans.ContainsKey(ClientOptions.AnonymousPlan))
        {
            failures.Add($"{ClientOptions.Section}:Plans:{ClientOptions.AnonymousPlan} is required: it applies to callers without an API key.");
        }
        foreach (var (planName, plan) in options.Plans)
        {
            var key = $"{ClientOptions.Section}:Plans:{planName}";
            if (plan.RequestsPerMinute is < 1 or > 1_000_000) failures.Add($"{key}:RequestsPerMinute must be 1..1000000.");
            if (plan.Burst is < 1 or > 100_000) failures.Add($"{key}:Burst must be 1..100000.");
            if (plan.RunsPerWindow < 1) failures.Add($"{key}:RunsPerWindow must be positive.");
            if (plan.RunSecondsPerWindow < 1) failures.Add($"{key}:RunSecondsPerWindow must be positive.");
            if (plan.WindowSeconds is < 1 or > 31 * 86_400) failures.Add($"{key}:WindowSeconds must be 1..2678400.");
            if (plan.MaxTestCases is < 1 or > 9_999) failures.Add($"{key}:MaxTestCases must be 1..9999.");
            if (plan.MaxSessions is < 0 or > 1_000) failures.Add($"{key}:MaxSessions must be 0..1000.");
            if (plan.MaxSessionLifeSeconds is < 1 or > 86_400) failures.Add($"{key}:MaxSessionLifeSeconds must be 1..86400.");
            if (plan.Runtime is not null && !SandboxRuntimes.IsValidName(plan.Runtime)) failures.Add($"{key}:Runtime '{plan.Runtime}' is not a runtime name (e.g. {SandboxRuntimes.Runc}, {SandboxRuntimes.Gvisor}).");
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        // Limits and quotas are keyed by the name: two keys with one name would share them silently.
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.ApiKeys.Count; i++)
        {
            var apiKey = options.ApiKeys[i];
            var key = $"{ClientOptions.Section}:ApiKeys:{i}";
            if (apiKey.Key.Length < 16) failures.Add($"{key}:Key must be at least 16 characters.");
            if (string.IsNullOrWhiteSpace(apiKey.Name)) failures.Add($"{key}:Name is required.");
            if (!options.Plans.ContainsKey(apiKey.Plan)) failures.Add($"{key}:Plan '{apiKey.Plan}' is not a plan under {ClientOptions.Section}:Plans.");
            if (!seen.Add(apiKey.Key)) failures.Add($"{key}:Key is used twice.");
            if (!string.IsNullOrWhiteSpace(apiKey.Name) && !names.Add(apiKey.Name)) failures.Add($"{key}:Name '{apiKey.Name}' is used by another key; limits and quotas are kept per name.");
        }
        foreach (var proxy in options.TrustedProxies)
        {
            if (!System.Net.IPAddress.TryParse(proxy, out _)) failures.Add($"{ClientOptions.Section}:TrustedProxies: '{proxy}' is not an IP address.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
