using System.ComponentModel.DataAnnotations;

namespace QuickTry.Api.Sessions;

/// <summary>Sessions at the gateway (section <c>Gateway:Sessions</c>): what holding one costs.</summary>
public sealed class GatewaySessionOptions
{
    public const string Section = "Gateway:Sessions";

    /// <summary>
    /// Percent of a session's held time counted as run time in its client's quota (5: an hour held costs
    /// three minutes of run time), besides its runs, which are billed as runs. Counted on each call, at close
    /// and when the gateway finds it expired, up to its end.
    /// </summary>
    [Range(0, 100)]
    public int HeldTimePercent { get; set; } = 5;

    /// <summary>Largest file a <c>PUT /sessions/{id}/files/{path}</c> takes (the session's disk quota bounds them together).</summary>
    [Range(1, 1024L * 1024 * 1024)]
    public long MaxFileBytes { get; set; } = 16 * 1024 * 1024;
}
