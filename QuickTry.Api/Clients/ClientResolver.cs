using System.Collections.Frozen;
using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using QuickTry.Api.Extensions;
using QuickTry.Api.RateLimiting;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace QuickTry.Api.Clients;

/// <summary>
/// Resolves the caller from <c>X-Api-Key</c> (on <c>/mcp</c> also <c>Authorization: Bearer</c>, the way MCP
/// clients send a key), or else from its (proxy-corrected) IP address.
/// </summary>
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
        if (PresentedKey(context.Request) is { } presented)
        {
            if (!_keysByHash.TryGetValue(Hash(presented), out var key))
            {
                return null;
            }
            return new ClientIdentity("key:" + key.Name, key.Name, key.Plan, _options.Plan(key.Plan));
        }
        var address = AnonymousKey(context.Connection.RemoteIpAddress);
        return new ClientIdentity("ip:" + address, ClientIdentity.HashAddress(address), ClientOptions.AnonymousPlan,
            _options.Plan(ClientOptions.AnonymousPlan));
    }

    /// <summary>
    /// The key the request presents. A bearer token counts only on <c>/mcp</c>: elsewhere it may be meant for
    /// someone else (Piston's clients send their Piston token so), and would be refused as an unknown key.
    /// </summary>
    private static string? PresentedKey(HttpRequest request)
    {
        if (request.Headers.TryGetValue(ApiKeyHeader, out var values))
        {
            return values.ToString();
        }
        var authorization = request.Headers.Authorization.ToString();
        return request.Path.StartsWithSegments("/mcp") && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? authorization["Bearer ".Length..].Trim()
            : null;
    }

    /// <summary>
    /// What an anonymous caller is known by: its IPv4 address, or its IPv6 /64. One host is usually given
    /// a whole /64, so keying by the full IPv6 address would hand it 2^64 separate buckets and quotas.
    /// </summary>
    internal static string AnonymousKey(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4().ToString();
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6 || IPAddress.IsLoopback(address))
        {
            return address.ToString();
        }
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    private static string Hash(string key) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}

/// <summary>
/// Identifies the caller once per request; an unknown API key is refused with 401. Those refusals are
/// rate limited per address with the anonymous plan's bucket (then 429), so guessing keys is as slow as
/// calling anonymously.
/// </summary>
internal sealed class ClientIdentificationMiddleware(RequestDelegate next, ClientResolver resolver, IOptions<ClientOptions> options)
    : IDisposable
{
    private readonly PartitionedRateLimiter<string> _unknownKeys = PartitionedRateLimiter.Create<string, string>(address =>
        RateLimitPartition.GetTokenBucketLimiter(address, _ => ClientRateLimiters.Options(options.Value.Plan(ClientOptions.AnonymousPlan))));

    public async Task InvokeAsync(HttpContext context)
    {
        var client = resolver.Resolve(context);
        if (client is null)
        {
            using var lease = _unknownKeys.AttemptAcquire(ClientResolver.AnonymousKey(context.Connection.RemoteIpAddress));
            if (!lease.IsAcquired)
            {
                var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(1);
                await Refusal.RateLimited(retryAfter, "Too many requests with unknown API keys.").ToResult(context.Response).ExecuteAsync(context);
                return;
            }
            await Results.Problem(
                title: "Unknown API key.",
                detail: $"The {ClientResolver.ApiKeyHeader} header (or on /mcp the bearer token) does not hold a key this service knows. Leave it out to call anonymously.",
                statusCode: StatusCodes.Status401Unauthorized).ExecuteAsync(context);
            return;
        }
        context.Features.Set(client);
        await next(context);
    }

    public void Dispose() => _unknownKeys.Dispose();
}

public static class ClientHttpContextExtensions
{
    public static ClientIdentity Client(this HttpContext context) =>
        context.Features.Get<ClientIdentity>() ?? throw new InvalidOperationException("Client identification did not run.");
}
