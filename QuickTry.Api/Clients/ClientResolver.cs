using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace QuickTry.Api.Clients;

/// <summary>Resolves the caller from <c>X-Api-Key</c>, or else from its (proxy-corrected) IP address.</summary>
public sealed class ClientResolver
{
    public const string ApiKeyHeader = "X-Api-Key";

    private readonly ClientOptions _options;
    // Looked up by the key's hash so lookups do not compare secrets character by character.
    private readonly FrozenDictionary<string, ApiKeyOptions> _keysByHash;

    public ClientResolver(IOptions<ClientOptions> options)
    {
        _options = options.Value;
        _keysByHash = _options.ApiKeys.ToFrozenDictionary(k => Hash(k.Key), StringComparer.Ordinal);
    }

    /// <summary>The caller, or null when it sent a key that is not ours.</summary>
    public ClientIdentity? Resolve(HttpContext context)
    {
        if (context.Request.Headers.TryGetValue(ApiKeyHeader, out var values))
        {
            var presented = values.ToString();
            if (!_keysByHash.TryGetValue(Hash(presented), out var key))
            {
                return null;
            }
            return new ClientIdentity("key:" + key.Name, key.Name, key.Plan, _options.Plan(key.Plan));
        }
        var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        return new ClientIdentity("ip:" + address, ClientIdentity.HashAddress(address), ClientOptions.AnonymousPlan,
            _options.Plan(ClientOptions.AnonymousPlan));
    }

    private static string Hash(string key) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}

/// <summary>Identifies the caller once per request; an unknown API key is refused with 401.</summary>
internal sealed class ClientIdentificationMiddleware(RequestDelegate next, ClientResolver resolver)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var client = resolver.Resolve(context);
        if (client is null)
        {
            await Results.Problem(
                title: "Unknown API key.",
                detail: $"The {ClientResolver.ApiKeyHeader} header does not hold a key this service knows. Leave it out to call anonymously.",
                statusCode: StatusCodes.Status401Unauthorized).ExecuteAsync(context);
            return;
        }
        context.Features.Set(client);
        await next(context);
    }
}

public static class ClientHttpContextExtensions
{
    public static ClientIdentity Client(this HttpContext context) =>
        context.Features.Get<ClientIdentity>() ?? throw new InvalidOperationException("Client identification did not run.");
}
