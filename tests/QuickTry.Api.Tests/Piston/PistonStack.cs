namespace QuickTry.Api.Tests.Piston;

/// <summary>
/// The stack Piston's clients call: Python, C and JavaScript warm (Piston selects runtimes by version), and
/// a client with a bucket of one request, for the 429.
/// </summary>
public sealed class PistonStack() : LoopbackStack("piston", ["python3", "c", "javascript"], new()
{
    ["Clients:Plans:tiny:RequestsPerMinute"] = "1",
    ["Clients:Plans:tiny:Burst"] = "1",
    ["Clients:ApiKeys:1:Name"] = "tiny",
    ["Clients:ApiKeys:1:Key"] = TinyKey,
    ["Clients:ApiKeys:1:Plan"] = "tiny",
})
{
    public const string TinyKey = "tiny-plan-key-0123456789";
}

[CollectionDefinition(Name)]
public sealed class PistonStackCollection : ICollectionFixture<PistonStack>
{
    public const string Name = "Piston stack";
}
