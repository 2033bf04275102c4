namespace QuickTry.Api.Mcp;

/// <summary>The Model Context Protocol endpoint at <c>/mcp</c> (section <c>Mcp</c>).</summary>
public sealed class McpOptions
{
    public const string Section = "Mcp";

    /// <summary>Whether <c>/mcp</c> is served at all.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Whether callers without an API key may use it (under the anonymous plan). Off by default: an agent
    /// runs code in a loop, and the operator should know whose agent it is.
    /// </summary>
    public bool AllowAnonymous { get; set; }
}
