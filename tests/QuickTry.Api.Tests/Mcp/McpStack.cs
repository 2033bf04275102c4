namespace QuickTry.Api.Tests.Mcp;

/// <summary>
/// The stack MCP clients call: Python, C and Bash warm, keys for an agent, a plan of one request a minute
/// (rate limit) and a plan of one run a window (quota).
/// </summary>
public sealed class McpStack() : LoopbackStack("mcp", ["python3", "c", "bash"], new()
{
    ["Clients:ApiKeys:1:Name"] = "agent",
    ["Clients:ApiKeys:1:Key"] = AgentKey,
    ["Clients:ApiKeys:1:Plan"] = "standard",
    ["Clients:Plans:tiny:RequestsPerMinute"] = "1",
    ["Clients:Plans:tiny:Burst"] = "1",
    ["Clients:ApiKeys:2:Name"] = "tiny",
    ["Clients:ApiKeys:2:Key"] = TinyKey,
    ["Clients:ApiKeys:2:Plan"] = "tiny",
    ["Clients:Plans:onerun:RunsPerWindow"] = "1",
    ["Clients:Plans:onerun:WindowSeconds"] = "3600",
    ["Clients:ApiKeys:3:Name"] = "onerun",
    ["Clients:ApiKeys:3:Key"] = OneRunKey,
    ["Clients:ApiKeys:3:Plan"] = "onerun",
    ["Clients:ApiKeys:4:Name"] = "tiny-script",
    ["Clients:ApiKeys:4:Key"] = TinyScriptKey,
    ["Clients:ApiKeys:4:Plan"] = "tiny",
})
{
    public const string AgentKey = "agent-test-key-0123456789";
    public const string TinyKey = "tiny-mcp-key-0123456789";
    public const string OneRunKey = "one-run-mcp-key-0123456789";
    /// <summary>The tiny plan for the TypeScript client, whose bucket is its own.</summary>
    public const string TinyScriptKey = "tiny-script-mcp-key-0123456789";
}

[CollectionDefinition(Name)]
public sealed class McpStackCollection : ICollectionFixture<McpStack>
{
    public const string Name = "MCP stack";
}
