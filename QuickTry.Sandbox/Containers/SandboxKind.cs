using QuickTry.Sandbox.Runs;

namespace QuickTry.Sandbox.Containers;

/// <summary>
/// What kind of sandbox a run gets: how it is isolated from the runs before and after it, and under which
/// OCI runtime (the host's kernel with <c>runc</c>, gVisor's with <c>runsc</c>). Pools keep one kind each.
/// </summary>
public readonly record struct SandboxKind(Isolation Isolation, string Runtime)
{
    public override string ToString() => $"{Isolation.ToWireName()}/{Runtime}";
}
