namespace QuickTry.Executor.Sandbox;

/// <summary>A started sandbox container whose runner waits for one job.</summary>
/// <param name="RunId">The run this container will serve; also its <c>quicktry.run</c> label.</param>
/// <param name="MemoryMb">Memory limit it was created with (changed in place when a run asks for another).</param>
/// <param name="Pids">PID limit it was created with.</param>
public sealed record SandboxContainer(string Id, string RunId, string Language, int MemoryMb, int Pids, DateTimeOffset CreatedAt);
