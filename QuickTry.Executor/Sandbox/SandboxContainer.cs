namespace QuickTry.Executor.Sandbox;

/// <summary>A started sandbox container whose runner waits for one job.</summary>
/// <param name="Slot">Id given at creation; its <c>quicktry.slot</c> label.</param>
/// <param name="MemoryMb">Memory limit it was created with (changed in place when a run asks for another).</param>
/// <param name="Pids">PID limit it was created with.</param>
public sealed record SandboxContainer(string Id, string Slot, string Language, int MemoryMb, int Pids);
