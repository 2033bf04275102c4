using Microsoft.Extensions.Options;

namespace QuickTry.Executor;

/// <summary>
/// Who this executor process is, in results and in the run queue: its instance name plus a per-process
/// suffix, so an executor restarted under the same name is a new consumer and the runs the dead one had
/// started are seen as lost, not as still running.
/// </summary>
public sealed class ExecutorIdentity(IOptions<ExecutorOptions> options)
{
    public string Name { get; } = $"{options.Value.InstanceName}-{Guid.NewGuid().ToString("N")[..8]}";
}
