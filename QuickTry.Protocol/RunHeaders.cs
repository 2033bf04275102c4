namespace QuickTry.Protocol;

/// <summary>Headers of the gateway → executor call.</summary>
public static class RunHeaders
{
    /// <summary>Which client a run is for, as the gateway names it (the key's name or a hashed IP, never a key); for traces.</summary>
    public const string Client = "X-QuickTry-Client";

    /// <summary>
    /// The isolation the caller's plan asks for (<c>slot</c> or <c>container</c>); set by the gateway from
    /// its configuration, never from the request. The executor applies the stricter of this and its own.
    /// </summary>
    public const string Isolation = "X-QuickTry-Isolation";

    /// <summary>
    /// The OCI runtime the caller's plan asks for (e.g. <c>runsc</c>); set by the gateway from its
    /// configuration, never from the request. When set it decides over the executor's own choice.
    /// </summary>
    public const string Runtime = "X-QuickTry-Runtime";

    /// <summary>
    /// Adds who the run is for and what the plan asks of the sandbox: the call's headers, set through
    /// <paramref name="add"/> (an HTTP request's or a WebSocket's), exactly as a queued run carries them.
    /// </summary>
    public static void Write(Action<string, string> add, string client, PlanSandbox plan)
    {
        add(Client, client);
        var (isolation, runtime) = PlanWire.Write(plan);
        if (isolation is not null)
        {
            add(Isolation, isolation);
        }
        if (runtime is not null)
        {
            add(Runtime, runtime);
        }
    }
}
