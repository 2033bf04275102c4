namespace QuickTry.Sandbox.Containers;

/// <summary>
/// The seccomp profile every sandbox gets. Docker 20.10's default profile still allows io_uring
/// (the source of many kernel privilege escalations), and every engine's default allows more than a
/// snippet needs; ours (Containers/seccomp-profile.json, an allowlist) denies io_uring, bpf, ptrace,
/// keyrings, namespaces, mounts, userfaultfd, perf and module loading.
/// </summary>
internal static class SeccompProfile
{
    /// <summary><see cref="SandboxOptions.SeccompProfile"/> value for QuickTry's own profile.</summary>
    public const string Builtin = "builtin";

    /// <summary><see cref="SandboxOptions.SeccompProfile"/> value for the engine's default profile.</summary>
    public const string EngineDefault = "engine-default";

    private const string ResourceName = "QuickTry.Executor.Sandbox.seccomp-profile.json";

    /// <summary>The profile's JSON for <paramref name="setting"/>, or null for the engine's default.</summary>
    public static string? Load(string setting)
    {
        if (string.Equals(setting, EngineDefault, StringComparison.Ordinal))
        {
            return null;
        }
        if (string.Equals(setting, Builtin, StringComparison.Ordinal))
        {
            using var stream = typeof(SeccompProfile).Assembly.GetManifestResourceStream(ResourceName)
                ?? throw new InvalidOperationException($"The embedded seccomp profile {ResourceName} is missing.");
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
        return File.ReadAllText(setting);
    }
}
