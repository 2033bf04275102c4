using System.Collections.Concurrent;
using System.Diagnostics;
using Docker.DotNet;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using QuickTry.Protocol;
using QuickTry.Sandbox.Containers;
using QuickTry.Sandbox.Engine;
using QuickTry.Sandbox.Languages;
using QuickTry.Sandbox.Pool;
using QuickTry.Sandbox.Runs;
using QuickTry.Sandbox.Telemetry;

namespace QuickTry.Sandbox.Sessions;

/// <summary>
/// Every session of this executor, from its start to its sandbox's verified removal: created on request,
/// one call at a time into its sandbox, ended when closed, idle too long, at the end of its life, when its
/// sandbox fails, when the engine goes away or when the executor stops. An ended session's reason is kept
/// for a while, so a late call learns why (410) rather than "not found".
/// </summary>
public sealed class SessionService(
    IDockerClient docker,
    LanguageCatalog languages,
    ContainerPool pool,
    SandboxContainerFactory factory,
    SandboxRunner runner,
    RunValidator validator,
    RunAdmission admission,
    EngineState engine,
    ExecutorTelemetry telemetry,
    IOptions<SessionOptions> sessionOptions,
    IOptions<SandboxOptions> sandboxOptions,
    TimeProvider time,
    ILogger<SessionService> logger) : BackgroundService
{
    // How long a call waits for the session's previous call to finish before it is told the session is busy.
    private static readonly TimeSpan CallWait = TimeSpan.FromSeconds(5);

    private readonly SessionOptions _options = sessionOptions.Value;
    private readonly ConcurrentDictionary<string, SandboxSession> _open = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, EndedSession> _ended = new(StringComparer.Ordinal);
    private readonly SessionFiles _files = new(docker);
    private int _count;

    /// <summary>Open sessions now.</summary>
    public int Open => Volatile.Read(ref _count);

    /// <param name="maxLifeSeconds">The caller's plan's bound on a session's life, when it has one.</param>
    public async Task<SessionAnswer<SessionInfo>> CreateAsync(SessionRequest request, string? client, PlanSandbox plan,
        int? maxLifeSeconds, string? executor, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        LanguageDefinition? language = null;
        if (string.IsNullOrWhiteSpace(request.Lang))
        {
            errors["lang"] = ["A language is required."];
        }
        else
        {
            await pool.LearnVersionsAsync(request.Lang, cancellationToken);
            language = languages.Resolve(request.Lang, request.Version, l => pool.VersionOf(l.Name), out var error);
            if (error is { } refused)
            {
                errors[refused.Field] = [refused.Message];
            }
        }
        var idle = request.IdleTimeoutSeconds ?? _options.IdleTimeoutSeconds;
        if (idle < 1 || idle > _options.MaxIdleTimeoutSeconds)
        {
            errors["idleTimeoutSeconds"] = [$"Must be 1..{_options.MaxIdleTimeoutSeconds} (asked {idle})."];
        }
        if (errors.Count > 0 || language is null)
        {
            return new SessionAnswer<SessionInfo>.Invalid(errors);
        }
        var runtime = sandboxOptions.Value.RuntimeFor(language.Name, plan.Runtime);
        if (!engine.IsUp || !engine.Declares(runtime))
        {
            return new SessionAnswer<SessionInfo>.Unavailable(TimeSpan.FromSeconds(5),
                engine.IsUp ? $"the Docker engine does not declare the runtime '{runtime}'" : "the Docker engine is not reachable");
        }
        if (Interlocked.Increment(ref _count) > _options.MaxSessions)
        {
            Interlocked.Decrement(ref _count);
            return new SessionAnswer<SessionInfo>.Unavailable(TimeSpan.FromSeconds(30),
                $"this executor holds its most sessions ({_options.MaxSessions})");
        }
        using var activity = ExecutorTelemetry.Source.StartActivity($"session.create {language.Name}");
        var id = Guid.CreateVersion7().ToString("N");
        activity?.SetTag("quicktry.session.id", id);
        activity?.SetTag("quicktry.client", client);
        activity?.SetTag("quicktry.runtime", runtime);
        SandboxContainer container;
        try
        {
            var memoryMb = Math.Max(_options.MemoryMb, validator.DefaultsFor(language, runtime).MemoryMb);
            container = await pool.StartSessionAsync(id, language, runtime, memoryMb, _options.DiskMb, cancellationToken);
        }
        catch (Exception e) when (e is DockerApiException or HttpRequestException or IOException or OperationCanceledException)
        {
            Interlocked.Decrement(ref _count);
            ExecutorTelemetry.Fail(activity, e);
            if (e is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            logger.LogWarning(e, "Session {SessionId} in {Language} could not start its sandbox", id, language.Name);
            return new SessionAnswer<SessionInfo>.Unavailable(TimeSpan.FromSeconds(5), "no sandbox could be started: " + e.Message);
        }
        var now = time.GetUtcNow();
        var life = Math.Min(_options.MaxLifeSeconds, maxLifeSeconds ?? int.MaxValue);
        var session = new SandboxSession(id, container, language, pool.VersionOf(language.Name) ?? LanguageVersions.Unknown, client,
            idle, now, now.AddSeconds(life), (long)_options.DiskMb * 1024 * 1024)
        {
            Kernel = HasKernel(language) ? new SessionKernel(docker, container) : null,
        };
        _open[id] = session;
        // The kernel starts now, so the first run finds it ready; a failed start is retried by that run.
        _ = session.Kernel?.StartAsync().ContinueWith(t =>
        {
            // A session closed while its kernel started takes the kernel with it: nothing to report.
            if (_open.ContainsKey(id))
            {
                logger.LogWarning(t.Exception?.GetBaseException(), "Session {SessionId}: its kernel did not start; the first run tries again", id);
            }
        }, TaskContinuationOptions.OnlyOnFaulted);
        logger.LogInformation("Session {SessionId} in {Language} opened for {Client} (sandbox {ContainerId}, idle {Idle} s, life {Life} s)",
            id, language.Name, client, container.Id, idle, life);
        return new SessionAnswer<SessionInfo>.Done(session.Describe(executor));
    }

    /// <summary>Python sessions keep their interpreter between runs, in a Jupyter kernel.</summary>
    private static bool HasKernel(LanguageDefinition language) => language.Family == "python3";

    public SessionAnswer<SessionInfo> Describe(string id, string? executor) =>
        _open.TryGetValue(id, out var session) ? new SessionAnswer<SessionInfo>.Done(session.Describe(executor)) : Missing<SessionInfo>(id);

    /// <summary>Runs code in the session's sandbox, beside its files; the result is a run's.</summary>
    public async Task<SessionAnswer<RunResult>> RunAsync(string id, SessionRunRequest request, string? executor, CancellationToken cancellationToken)
    {
        if (!_open.TryGetValue(id, out var session))
        {
            return Missing<RunResult>(id);
        }
        if (request.Limits is { MemoryMb: not null } or { Pids: not null })
        {
            return new SessionAnswer<RunResult>.Invalid(new Dictionary<string, string[]>
            {
                [request.Limits.MemoryMb is not null ? "limits.memoryMb" : "limits.pids"] =
                    ["A session's memory and process limits are its sandbox's, set when it starts; a run in it cannot change them."],
            });
        }
        var runRequest = new RunRequest
        {
            // The session's language at its version: a language's name alone would pick its newest version.
            Lang = session.Language.Name,
            Version = session.Version == LanguageVersions.Unknown ? null : session.Version,
            Code = request.Code,
            Stdin = request.Stdin,
            Args = request.Args,
            Files = request.Files,
            Limits = request.Limits,
        };
        if (!validator.TryPrepare(runRequest, session.Container.Runtime, out var run, out var errors))
        {
            return new SessionAnswer<RunResult>.Invalid(errors);
        }
        // The sandbox's own size, whatever the run's defaults say: it cannot change under gVisor.
        run = run with { Limits = run.Limits with { MemoryMb = session.Container.MemoryMb, Pids = session.Container.Pids } };
        if (session.Kernel is { } kernel)
        {
            if (!string.IsNullOrEmpty(request.Stdin) || request.Args is { Count: > 0 })
            {
                return new SessionAnswer<RunResult>.Invalid(new Dictionary<string, string[]>
                {
                    [string.IsNullOrEmpty(request.Stdin) ? "args" : "stdin"] =
                        ["A Python session runs each cell in its kernel, which has no stdin or arguments: write a file and read it instead."],
                });
            }
            return await WithSessionAsync(session, callToken => RunCellAsync(session, kernel, run, executor, callToken), cancellationToken);
        }
        return await WithSessionAsync(session, async callToken =>
        {
            using var activity = StartRun(session, run, kernel: false, out var runId);
            var queued = time.GetTimestamp();
            if (!await admission.TryEnterAsync(callToken))
            {
                telemetry.Rejected(session.Language.Name, "busy");
                return new SessionAnswer<RunResult>.Unavailable(admission.RetryAfter, "every sandbox slot of the executor is busy");
            }
            var queueTime = time.GetElapsedTime(queued);
            SandboxOutcome outcome;
            try
            {
                outcome = await runner.RunAsync(session.Container, run, callToken);
            }
            catch (Exception e) when (e is SandboxNotStartedException or DockerApiException or HttpRequestException or IOException)
            {
                ExecutorTelemetry.Fail(activity, e);
                await EndAsync(session, SessionEndReasons.SandboxFailed, "Its sandbox could not take the run: " + e.Message);
                return Missing<RunResult>(id);
            }
            finally
            {
                admission.Exit();
            }
            var result = RunResultMapper.ToResult(run, runId, session.Container.Kind, outcome, session.Version, queueTime, time.GetElapsedTime(queued))
                with { Executor = executor };
            // The runner kills what the run left and says so; anything else (the output cap or the watchdog
            // killed the sandbox, the runner failed) ends the session: its state is no longer known.
            var alive = outcome.Reusable is { } verdict && await verdict;
            if (!alive)
            {
                var why = outcome.Killed switch
                {
                    KillReason.OutputLimit => "A run went past its output limit, which ends its sandbox.",
                    KillReason.TimeLimit => "A run did not end at its time limit and its sandbox was killed.",
                    _ => "Its sandbox did not report the run's end cleanly.",
                };
                await EndAsync(session, SessionEndReasons.SandboxFailed, why);
                result = result with { Message = (result.Message is null ? "" : result.Message + " ") + "The session ended: " + why };
            }
            ExecutorTelemetry.Describe(activity, result);
            telemetry.RunEnded(result, queueTime, time.GetElapsedTime(queued));
            logger.LogInformation("Session {SessionId} run {RunId} ended {Status} in {WallTimeMs} ms", id, runId, result.Status.ToWireName(), result.WallTimeMs);
            return new SessionAnswer<RunResult>.Done(result);
        }, cancellationToken);
    }

    /// <summary>A session run's span, tagged as a run's is (its id is the trace id), and the run id.</summary>
    private static Activity? StartRun(SandboxSession session, PreparedRun run, bool kernel, out string runId)
    {
        var activity = ExecutorTelemetry.Source.StartActivity($"run {session.Language.Name}");
        runId = activity?.TraceId.ToHexString() ?? Guid.CreateVersion7().ToString("N");
        activity?.SetTag("quicktry.session.id", session.Id);
        activity?.SetTag("quicktry.session.kernel", kernel);
        activity?.SetTag("quicktry.language", session.Language.Name);
        activity?.SetTag("quicktry.client", session.Client);
        activity?.SetTag("quicktry.run.id", runId);
        ExecutorTelemetry.DescribeLimits(activity, run.Limits);
        return activity;
    }

    /// <summary>
    /// A run in a Python session: the code is a cell of the session's Jupyter kernel, so what earlier runs
    /// defined is there. Its time limit is the cell's; a cell past it, or one that brings the kernel down,
    /// ends the kernel, and the next run starts a new one (the files stay).
    /// </summary>
    private async Task<SessionAnswer<RunResult>> RunCellAsync(SandboxSession session, SessionKernel kernel, PreparedRun run, string? executor,
        CancellationToken cancellationToken)
    {
        using var activity = StartRun(session, run, kernel: true, out var runId);
        var queued = time.GetTimestamp();
        foreach (var (name, content) in run.Files)
        {
            using var bytes = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content));
            if (await _files.WriteAsync(session.Container, name, bytes, cancellationToken) != FileWrite.Written)
            {
                return new SessionAnswer<RunResult>.Invalid(new Dictionary<string, string[]>
                {
                    ["files"] = [$"'{name}' could not be written into the session (its folder leads outside it, or its disk is full)."],
                });
            }
        }
        var restarted = !kernel.Running && kernel.Starts > 0;
        try
        {
            using (ExecutorTelemetry.Source.StartActivity("session.kernel.start"))
            {
                await kernel.StartAsync().WaitAsync(cancellationToken);
            }
        }
        catch (Exception e) when (e is IOException or DockerApiException or HttpRequestException)
        {
            ExecutorTelemetry.Fail(activity, e);
            return new SessionAnswer<RunResult>.Done(RunResultMapper.Identity(run, runId, session.Container.Kind, session.Version,
                RunStatus.InternalError, "The session's Python kernel could not start; nothing ran. " + e.Message) with { Executor = executor });
        }
        var started = time.GetTimestamp();
        KernelOutcome outcome;
        using (ExecutorTelemetry.Source.StartActivity("sandbox.execute"))
        {
            outcome = await kernel.ExecuteAsync(run.Code, run.Limits.OutputBytes, run.Limits.ArtifactBytes, TimeSpan.FromMilliseconds(run.Limits.TimeMs),
                cancellationToken);
        }
        var wallMs = time.GetElapsedTime(started).TotalMilliseconds;
        var answer = outcome.Answer;
        var (status, message) = answer switch
        {
            null when outcome.TimedOut => (RunStatus.Timeout,
                $"The cell exceeded the {run.Limits.TimeMs} ms time limit; its kernel was ended (variables are lost, files are kept) and the next run starts a new one."),
            null => (RunStatus.RuntimeError, "The session's Python kernel ended during the cell; the next run starts a new one (variables are lost, files are kept)."),
            { OomKilled: true } => (RunStatus.MemoryLimit,
                $"The cell exceeded the {run.Limits.MemoryMb} MB memory limit; its kernel was ended (variables are lost, files are kept)."),
            { KernelDied: true } => (RunStatus.RuntimeError, "The session's Python kernel died during the cell; the next run starts a new one (variables are lost, files are kept)."),
            { StdoutTruncated: true } or { StderrTruncated: true } => (RunStatus.OutputLimit,
                $"Output exceeded {run.Limits.OutputBytes} bytes on a stream; the rest was dropped."),
            { Status: "ok" } => (RunStatus.Ok, restarted ? "Its kernel had ended before this run; a new one ran it (earlier variables are gone)." : null),
            _ => (RunStatus.RuntimeError, "The cell raised an exception."),
        };
        var artifacts = answer?.Artifacts.Where(a => SessionPaths.IsValid(a.Path))
            .Select(a => new Artifact(a.Path, MimeTypes.Of(a.Path), a.Size, a.Data)).ToList();
        var artifactsCut = answer?.ArtifactsTruncated ?? false;
        if (artifactsCut && status == RunStatus.Ok)
        {
            message = $"The files under out/ went past the {run.Limits.ArtifactBytes}-byte artifact limit; some are left out.";
        }
        var result = RunResultMapper.Identity(run, runId, session.Container.Kind, session.Version, status, message) with
        {
            Executor = executor,
            ExitCode = answer is null ? null : answer.Status == "ok" ? 0 : 1,
            Stdout = answer?.Stdout ?? "",
            Stderr = answer?.Stderr ?? "",
            Output = (answer?.Stdout ?? "") + (answer?.Stderr ?? ""),
            StdoutTruncated = answer?.StdoutTruncated ?? false,
            StderrTruncated = answer?.StderrTruncated ?? false,
            WallTimeMs = Math.Round(wallMs, 2),
            CpuTimeMs = answer?.CpuTimeMs,
            Outputs = answer?.Outputs,
            Artifacts = artifacts is { Count: > 0 } ? artifacts : null,
            ArtifactsTruncated = artifactsCut,
            TotalTimeMs = Math.Round(time.GetElapsedTime(queued).TotalMilliseconds, 2),
        };
        ExecutorTelemetry.Describe(activity, result);
        telemetry.RunEnded(result, TimeSpan.Zero, time.GetElapsedTime(queued));
        logger.LogInformation("Session {SessionId} cell {RunId} ended {Status} in {WallTimeMs} ms", session.Id, runId, result.Status.ToWireName(), result.WallTimeMs);
        return new SessionAnswer<RunResult>.Done(result);
    }

    public async Task<SessionAnswer<FileRead>> ReadFileAsync(string id, string path, CancellationToken cancellationToken)
    {
        if (!_open.TryGetValue(id, out var session))
        {
            return Missing<FileRead>(id);
        }
        return await WithSessionAsync<FileRead>(session, async callToken =>
        {
            using var activity = ExecutorTelemetry.Source.StartActivity("session.read_file");
            activity?.SetTag("quicktry.session.id", id);
            return new SessionAnswer<FileRead>.Done(await _files.ReadAsync(session.Container, path, session.DiskBytes, callToken));
        }, cancellationToken);
    }

    public async Task<SessionAnswer<FileWrite>> WriteFileAsync(string id, string path, Stream content, CancellationToken cancellationToken)
    {
        if (!_open.TryGetValue(id, out var session))
        {
            return Missing<FileWrite>(id);
        }
        return await WithSessionAsync<FileWrite>(session, async callToken =>
        {
            using var activity = ExecutorTelemetry.Source.StartActivity("session.write_file");
            activity?.SetTag("quicktry.session.id", id);
            return new SessionAnswer<FileWrite>.Done(await _files.WriteAsync(session.Container, path, content, callToken));
        }, cancellationToken);
    }

    public async Task<SessionAnswer<IReadOnlyList<SessionFile>>> ListFilesAsync(string id, CancellationToken cancellationToken)
    {
        if (!_open.TryGetValue(id, out var session))
        {
            return Missing<IReadOnlyList<SessionFile>>(id);
        }
        return await WithSessionAsync<IReadOnlyList<SessionFile>>(session, async callToken =>
            new SessionAnswer<IReadOnlyList<SessionFile>>.Done(await _files.ListAsync(session.Container, callToken)), cancellationToken);
    }

    /// <summary>Ends a session at its caller's word; its sandbox is removed and verified gone before this returns.</summary>
    public async Task<SessionAnswer<bool>> CloseAsync(string id)
    {
        if (!_open.TryGetValue(id, out var session))
        {
            return Missing<bool>(id);
        }
        return new SessionAnswer<bool>.Done(await EndAsync(session, SessionEndReasons.Closed, "Its caller closed it."));
    }

    /// <summary>
    /// One call at a time in a session's sandbox; a call on a session that ended meanwhile (or ends during
    /// the call: its token is cancelled then, so nothing waits on a sandbox being removed) is told so.
    /// </summary>
    private async Task<SessionAnswer<T>> WithSessionAsync<T>(SandboxSession session, Func<CancellationToken, Task<SessionAnswer<T>>> call,
        CancellationToken cancellationToken)
    {
        if (!await session.Gate.WaitAsync(CallWait, cancellationToken))
        {
            return new SessionAnswer<T>.Busy(TimeSpan.FromSeconds(1));
        }
        try
        {
            if (!_open.ContainsKey(session.Id))
            {
                return Missing<T>(session.Id);
            }
            session.Touch(time.GetUtcNow());
            using var callToken = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, session.Ending.Token);
            try
            {
                var answer = await call(callToken.Token);
                // A run the session's end cut short answers the end, not a result that did not finish.
                return session.Ending.IsCancellationRequested ? Missing<T>(session.Id) : answer;
            }
            catch (Exception e) when (session.Ending.IsCancellationRequested && !cancellationToken.IsCancellationRequested
                                      && e is OperationCanceledException or IOException or ObjectDisposedException or DockerApiException or HttpRequestException)
            {
                return Missing<T>(session.Id);
            }
            catch (Exception e) when (e is DockerApiException or HttpRequestException or IOException or OperationCanceledException
                                      && !cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Session {SessionId}: a call into its sandbox failed", session.Id);
                if (e is DockerContainerNotFoundException or DockerApiException { StatusCode: System.Net.HttpStatusCode.Conflict })
                {
                    await EndAsync(session, SessionEndReasons.SandboxFailed, "Its sandbox is gone.");
                    return Missing<T>(session.Id);
                }
                return new SessionAnswer<T>.Unavailable(TimeSpan.FromSeconds(1), "the sandbox did not answer: " + e.Message);
            }
            finally
            {
                session.Touch(time.GetUtcNow());
            }
        }
        finally
        {
            session.Gate.Release();
        }
    }

    private SessionAnswer<T> Missing<T>(string id) =>
        _ended.TryGetValue(id, out var ended) ? new SessionAnswer<T>.Gone(ended.Reason, ended.Detail) : new SessionAnswer<T>.NotFound();

    /// <summary>
    /// Ends a session once: it leaves the open set, its sandbox is removed, and the removal is verified (the
    /// engine no longer knows the container). Returns whether it was verified.
    /// </summary>
    private async Task<bool> EndAsync(SandboxSession session, string reason, string detail)
    {
        if (!_open.TryRemove(session.Id, out _))
        {
            return true;
        }
        _ended[session.Id] = new EndedSession(reason, detail, time.GetUtcNow());
        Interlocked.Decrement(ref _count);
        // A call in progress stops waiting on the sandbox that is going away.
        await session.Ending.CancelAsync();
        if (session.Kernel is { } kernel)
        {
            await kernel.DisposeAsync();
        }
        using var activity = ExecutorTelemetry.Source.StartActivity("session.end");
        activity?.SetTag("quicktry.session.id", session.Id);
        activity?.SetTag("quicktry.session.end_reason", reason);
        var gone = false;
        try
        {
            await factory.RemoveAsync(session.Container.Id, CancellationToken.None);
            try
            {
                await docker.Containers.InspectContainerAsync(session.Container.Id);
            }
            catch (DockerContainerNotFoundException)
            {
                gone = true;
            }
        }
        catch (Exception e) when (e is DockerApiException or HttpRequestException or IOException or TimeoutException)
        {
            // The engine is gone (and the container with it), or failing: the janitor removes what is left.
            logger.LogWarning(e, "Session {SessionId}: its sandbox {ContainerId} could not be removed", session.Id, session.Container.Id);
        }
        pool.Forget(session.Container);
        activity?.SetTag("quicktry.session.sandbox_removed", gone);
        logger.LogInformation("Session {SessionId} ended ({Reason}): {Detail} Sandbox removed: {Removed}", session.Id, reason, detail, gone);
        return gone;
    }

    /// <summary>Ends sessions past their idle timeout or life, and all of them when the engine has gone away.</summary>
    internal async Task SweepAsync()
    {
        var now = time.GetUtcNow();
        foreach (var session in _open.Values)
        {
            if (!engine.IsUp)
            {
                await EndAsync(session, SessionEndReasons.ExecutorStopped, "The executor lost its Docker engine, and the sandbox with it.");
            }
            else if (now >= session.EndsAt)
            {
                await EndAsync(session, SessionEndReasons.MaxLife, $"It reached its maximum life ({(session.EndsAt - session.CreatedAt).TotalSeconds:0} s).");
            }
            else if (now >= session.ExpiresAt && session.Gate.CurrentCount > 0)
            {
                await EndAsync(session, SessionEndReasons.IdleTimeout, $"No call came within its idle timeout ({session.IdleTimeoutSeconds} s).");
            }
        }
        var forgetBefore = now.AddSeconds(-_options.RememberEndedSeconds);
        foreach (var (id, ended) in _ended)
        {
            if (ended.At < forgetBefore)
            {
                _ended.TryRemove(id, out _);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(_options.SweepIntervalMs), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await SweepAsync();
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning(e, "The session sweep failed; it runs again shortly");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>The executor stops: every session ends with it, its sandbox removed.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await Task.WhenAll(_open.Values.Select(s => EndAsync(s, SessionEndReasons.ExecutorStopped, "The executor holding it stopped.")));
    }
}

/// <summary>What a session call answers: its value, or why not.</summary>
public abstract record SessionAnswer<T>
{
    private SessionAnswer() { }

    public sealed record Done(T Value) : SessionAnswer<T>;

    public sealed record Invalid(IDictionary<string, string[]> Errors) : SessionAnswer<T>;

    /// <summary>No session by that id here (never was, or ended long ago).</summary>
    public sealed record NotFound : SessionAnswer<T>;

    /// <summary>The session ended: <paramref name="Reason"/> is one of <see cref="SessionEndReasons"/>.</summary>
    public sealed record Gone(string Reason, string Detail) : SessionAnswer<T>;

    /// <summary>Another call of the session is in progress.</summary>
    public sealed record Busy(TimeSpan RetryAfter) : SessionAnswer<T>;

    /// <summary>The executor cannot serve it now (full, engine down); nothing happened.</summary>
    public sealed record Unavailable(TimeSpan RetryAfter, string Reason) : SessionAnswer<T>;
}
