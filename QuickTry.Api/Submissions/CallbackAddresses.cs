using System.Net;
using System.Net.Sockets;

namespace QuickTry.Api.Submissions;

/// <summary>
/// Where a callback may go. Not to loopback, private, link-local (cloud metadata at 169.254.169.254),
/// carrier-grade NAT, multicast or unspecified addresses unless the host is allow-listed: a callback must
/// not become a way into the network QuickTry runs in (Judge0's CVE-2024-29021). Checked when a
/// submission is accepted and again for the address actually connected to (DNS may change in between).
/// </summary>
public static class CallbackAddresses
{
    public static bool IsInternal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            return true;
        }
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] == 10 || b[0] == 0
                || (b[0] == 172 && b[1] >= 16 && b[1] <= 31)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 169 && b[1] == 254)
                || (b[0] == 100 && b[1] >= 64 && b[1] <= 127)
                || b[0] >= 224;
        }
        var v6 = address.GetAddressBytes();
        return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast
            || (v6[0] & 0xfe) == 0xfc; // unique local fc00::/7
    }

    /// <summary>Null when <paramref name="url"/> may be called back; else why not.</summary>
    public static async Task<string?> CheckAsync(string url, IReadOnlyCollection<string> allowedHosts, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return "callbackUrl must be an absolute http or https URL.";
        }
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            return "callbackUrl must not carry credentials.";
        }
        if (IsAllowed(uri.IdnHost, allowedHosts))
        {
            return null;
        }
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(uri.IdnHost, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(uri.IdnHost, cancellationToken);
        }
        catch (SocketException)
        {
            return $"callbackUrl's host '{uri.IdnHost}' does not resolve.";
        }
        return addresses.Length == 0 ? $"callbackUrl's host '{uri.IdnHost}' does not resolve."
            : addresses.Any(IsInternal) ? $"callbackUrl's host '{uri.IdnHost}' is a loopback, private, link-local or metadata address; callbacks go to public addresses only."
            : null;
    }

    public static bool IsAllowed(string host, IReadOnlyCollection<string> allowedHosts) =>
        allowedHosts.Any(h => string.Equals(h.Trim('[', ']'), host.Trim('[', ']'), StringComparison.OrdinalIgnoreCase));
}
