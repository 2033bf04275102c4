namespace QuickTry.Protocol;

/// <summary>The OCI runtimes a sandbox can run under, as the Docker engine names them.</summary>
public static class SandboxRuntimes
{
    /// <summary>The engine's own: Linux namespaces, cgroups and seccomp on the host's kernel.</summary>
    public const string Runc = "runc";

    /// <summary>gVisor: a kernel in user space between the program and the host's kernel.</summary>
    public const string Gvisor = "runsc";

    /// <summary>A runtime name as engines accept them (letters, digits, <c>.</c>, <c>_</c>, <c>-</c>).</summary>
    public static bool IsValidName(string? name) =>
        name is { Length: > 0 and <= 64 } && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');
}
