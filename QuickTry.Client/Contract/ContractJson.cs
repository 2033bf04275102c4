using System.Text.Json;

namespace QuickTry.Client;

/// <summary>
/// The contract's JSON, the one every party writes and reads it with: the API's answers, the executor's,
/// the queue's records and messages, the live streams and this client. Web defaults: camelCase names,
/// names read case-insensitively, enums by their wire names through the contract's own converters.
/// </summary>
public static class ContractJson
{
    /// <summary>The options, read-only (a party that needs more starts from a copy).</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
