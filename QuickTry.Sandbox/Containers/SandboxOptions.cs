using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using QuickTry.Protocol;
using QuickTry.Sandbox.Runs;

namespace QuickTry.Sandbox.Containers;

/// <summary>How sandbox containers are built (section <c>Executor:Sandbox</c>); not chosen per request.</summary>
public sealed class SandboxOptions
{
    public const string Section = "Executor:Sandbox";

    /// <summary>
    /// OCI runtime of every sandbox unless the language or the caller's plan names another: <c>runc</c>
    /// (the engine's own) or <c>runsc</c> (gVisor, registered by <c>scripts/setup.sh --gvisor</c>).
    /// </summary>
    public string Runtime { get; set; } = SandboxRuntimes.Runc;

    /// <summary>Per-language runtime, e.g. <c>{"php": "runsc"}</c>.</summary>
    public Dictionary<string, string> RuntimeByLanguage { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Runtimes that callers' plans ask for (<c>Clients:Plans:&lt;plan&gt;:Runtime</c> at the gateway) besides
    /// the ones above: they get warm pools too. A plan may name another runtime the engine declares; its
    /// sandboxes then start on demand.
    /// </summary>
    public List<string> PlanRuntimes { get; set; } = [];

    /// <summary>CPU cores one sandbox may use.</summary>
    public double Cpus { get; set; } = 1.0;

    /// <summary>
    /// The host CPUs every sandbox of this executor runs on, in the engine's cpuset form (<c>0</c>, <c>2-3</c>,
    /// <c>0,2</c>); unset, any. Executors sharing one machine can so each have cores of their own, and the
    /// sandboxes' runs no longer compete with the services beside them.
    /// </summary>
    public string? CpusetCpus { get; set; }

    /// <summary>
    /// The process that runs jobs inside every sandbox: <c>compiled</c> (the default: one small static
    /// program, docker-images/base/supervisor.c) or <c>script</c> (the bash runner it replaced, kept as a
    /// fallback). Both speak the same protocol and enforce the same limits.
    /// </summary>
    public string Supervisor { get; set; } = Supervisors.Compiled;

    /// <summary>Size of the writable work directory (/box) and of /tmp, each.</summary>
    public int WorkDirMb { get; set; } = 64;

    /// <summary>Open files per process (RLIMIT_NOFILE).</summary>
    public int OpenFiles { get; set; } = 256;

    /// <summary>Largest file a process may write (RLIMIT_FSIZE).</summary>
    public int MaxFileMb { get; set; } = 32;

    /// <summary>
    /// Seccomp profile of every sandbox: <c>builtin</c> (QuickTry's, the default), <c>engine-default</c>
    /// (the Docker engine's own), or the path of a profile file.
    /// </summary>
    public string SeccompProfile { get; set; } = Containers.SeccompProfile.Builtin;

    /// <summary>
    /// The runner inside the sandbox kills a program at its time limit and reports it; if the runner has
    /// not reported this long after the limit, the executor kills the whole container (and a slot with it).
    /// </summary>
    public int WatchdogGraceMs { get; set; } = 2_000;

    /// <summary>Compiler output kept in a result, per stream.</summary>
    public int CompileOutputBytes { get; set; } = 64 * 1024;

    /// <summary>The runtime a run gets: its plan's when the plan names one, else its language's, else the default.</summary>
    public string RuntimeFor(string language, string? plan) =>
        plan ?? (RuntimeByLanguage.TryGetValue(language, out var byLanguage) ? byLanguage : Runtime);

    /// <summary>Every runtime this configuration names: the ones the engine must declare.</summary>
    public IEnumerable<string> ConfiguredRuntimes() =>
        new[] { Runtime }.Concat(RuntimeByLanguage.Values).Concat(PlanRuntimes).Distinct(StringComparer.Ordinal);
}

/// <summary>The values of <see cref="SandboxOptions.Supervisor"/> and the program each starts in the sandbox.</summary>
public static class Supervisors
{
    public const string Compiled = "compiled";
    public const string Script = "script";

    public static string PathOf(string supervisor) =>
        supervisor == Script ? "/opt/quicktry/runner" : "/opt/quicktry/supervisor";
}

internal sealed partial class SandboxOptionsValidator : IValidateOptions<SandboxOptions>
{
    public ValidateOptionsResult Validate(string? name, SandboxOptions options)
    {
        var failures = new List<string>();
        if (options.Cpus is <= 0 or > 64)
        {
            failures.Add($"{SandboxOptions.Section}:Cpus must be above 0 and at most 64 (is {options.Cpus}).");
        }
        if (options.CpusetCpus is { } cpuset && !CpusetList().IsMatch(cpuset))
        {
            failures.Add($"{SandboxOptions.Section}:CpusetCpus must be a list of CPU numbers and ranges such as '0', '2-3' or '0,2' (is '{cpuset}').");
        }
        if (options.Supervisor is not (Supervisors.Compiled or Supervisors.Script))
        {
            failures.Add($"{SandboxOptions.Section}:Supervisor must be '{Supervisors.Compiled}' or '{Supervisors.Script}' (is '{options.Supervisor}').");
        }
        if (options.WorkDirMb is < 1 or > 4096)
        {
            failures.Add($"{SandboxOptions.Section}:WorkDirMb must be 1..4096 (is {options.WorkDirMb}).");
        }
        if (options.OpenFiles is < 16 or > 65536)
        {
            failures.Add($"{SandboxOptions.Section}:OpenFiles must be 16..65536 (is {options.OpenFiles}).");
        }
        if (options.MaxFileMb < 1)
        {
            failures.Add($"{SandboxOptions.Section}:MaxFileMb must be positive (is {options.MaxFileMb}).");
        }
        if (options.CompileOutputBytes < 1024)
        {
            failures.Add($"{SandboxOptions.Section}:CompileOutputBytes must be at least 1024 (is {options.CompileOutputBytes}).");
        }
        if (options.SeccompProfile is not (Containers.SeccompProfile.Builtin or Containers.SeccompProfile.EngineDefault)
            && !File.Exists(options.SeccompProfile))
        {
            failures.Add($"{SandboxOptions.Section}:SeccompProfile must be '{Containers.SeccompProfile.Builtin}', '{Containers.SeccompProfile.EngineDefault}' or the path of a profile file (is '{options.SeccompProfile}').");
        }
        if (options.WatchdogGraceMs is < 100 or > 60_000)
        {
            failures.Add($"{SandboxOptions.Section}:WatchdogGraceMs must be 100..60000 (is {options.WatchdogGraceMs}).");
        }
        foreach (var runtime in options.ConfiguredRuntimes().Where(r => !SandboxRuntimes.IsValidName(r)))
        {
            failures.Add($"{SandboxOptions.Section}: '{runtime}' is not a runtime name (e.g. '{SandboxRuntimes.Runc}' or '{SandboxRuntimes.Gvisor}').");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>The engine's cpuset form: CPU numbers and ranges, comma-separated.</summary>
    [GeneratedRegex(@"^\d{1,4}(-\d{1,4})?(,\d{1,4}(-\d{1,4})?)*$")]
    private static partial Regex CpusetList();
}
