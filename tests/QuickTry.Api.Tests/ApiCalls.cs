using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace QuickTry.Api.Tests;

/// <summary>The raw HTTP calls the API's tests make again and again (imported with <c>using static</c>).</summary>
public static class ApiCalls
{
    /// <summary>A request body of JSON exactly as written (the typed client would normalise it).</summary>
    public static StringContent JsonBody(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>The caller's <c>GET /quota</c>.</summary>
    public static async Task<JsonElement> QuotaAsync(HttpClient client) => await client.GetFromJsonAsync<JsonElement>("/quota");

    /// <summary>Runs billed to the caller in its current window, as <c>GET /quota</c> says.</summary>
    public static double RunsUsed(JsonElement quota) => quota.GetProperty("runs").GetProperty("used").GetDouble();

    public static async Task<double> RunsUsedAsync(HttpClient client) => RunsUsed(await QuotaAsync(client));
}
