namespace QuickTry.Sandbox.Containers;

/// <summary>Labels on every sandbox container, so they can be found and reaped.</summary>
public static class SandboxLabels
{
    public const string Managed = "quicktry.managed";
    public const string Instance = "quicktry.instance";
    public const string Language = "quicktry.language";
    /// <summary>The container's own id, given at creation (a run's id is its trace id, known only later).</summary>
    public const string Slot = "quicktry.slot";
    /// <summary><c>slot</c> (serves many runs) or <c>container</c> (one run).</summary>
    public const string Isolation = "quicktry.isolation";
    /// <summary>The OCI runtime it runs under (<c>runc</c>, <c>runsc</c>).</summary>
    public const string Runtime = "quicktry.runtime";
    /// <summary>The session a sandbox belongs to, on a session's sandbox only.</summary>
    public const string Session = "quicktry.session";
}
