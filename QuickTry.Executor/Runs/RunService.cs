using Docker.DotNet;
using QuickTry.Executor.Pool;
using QuickTry.Executor.Sandbox;

namespace QuickTry.Executor.Runs;

/// <summary>
/// A run's lifecycle: validate → admit (bounded) → take a warm container → execute → remove it.
/// Cleanup is in <c>finally</c>, so a failed run never keeps a slot or a container.
/// </summary>
public sealed class RunService(
    RunValidator validator,
    RunAdmission admission,
    ContainerPool pool,
    SandboxRunner runner,
    TimeProvider time,
    ILogger<RunService> logger)
{
    public async Task<RunOutcome> ExecuteAsync(RunRequest request, CancellationToken cancellationToken)
    {
        if (!validator.TryPrepare(request, out var run, out var errors))
        {
            return new RunOutcome.Invalid(errors);
        }
        var queued = time.GetTimestamp();
        if (!await admission.TryEnterAsync(cancellationToken))
        {
            return new RunOutcome.Busy(admission.RetryAfter);
        }
        var queueTime = time.GetElapsedTime(queued);
        SandboxContainer? container = null;
        try
        {
            container = await pool.TakeAsync(run.Language, cancellationToken);
            SandboxOutcome outcome;
            try
            {
                outcome = await runner.RunAsync(container, run, cancellationToken);
            }
            catch (DockerContainerNotFoundException)
            {
                // A warm container vanished before the job reached it (engine restart, manual removal):
                // nothing ran, so running on a fresh one is not a second run.
                pool.Release(container);
                container = await pool.TakeAsync(run.Language, cancellationToken);
                outcome = await runner.RunAsync(container, run, cancellationToken);
            }
            return new RunOutcome.Completed(RunResultMapper.ToResult(run, container, outcome,
                pool.VersionOf(run.Language.Name) ?? "unknown", queueTime, time.GetElapsedTime(queued)));
        }
        catch (Exception e) when (e is DockerApiException or HttpRequestException or IOException or TimeoutException)
        {
            logger.LogError(e, "Run in {Language} failed in the sandbox engine", run.Language.Name);
            return new RunOutcome.Completed(RunResultMapper.InternalError(run, container?.RunId ?? Guid.CreateVersion7().ToString("N"),
                pool.VersionOf(run.Language.Name) ?? "unknown", "The sandbox engine failed; the run did not complete."));
        }
        finally
        {
            if (container is not null)
            {
                pool.Release(container);
            }
            admission.Exit();
        }
    }
}

/// <summary>What <see cref="RunService"/> can answer: a result, a refusal for bad input, or busy.</summary>
public abstract record RunOutcome
{
    private RunOutcome() { }

    public sealed record Completed(RunResult Result) : RunOutcome;

    public sealed record Invalid(IDictionary<string, string[]> Errors) : RunOutcome;

    public sealed record Busy(TimeSpan RetryAfter) : RunOutcome;
}
