using System.Security.Cryptography;
using System.Text;

namespace QuickTry.Api.Clients;

/// <summary>Who is calling: an API key's owner or an anonymous IP address.</summary>
/// <param name="Id">Partition key for limits and quotas (<c>key:name</c> or <c>ip:address</c>).</param>
/// <param name="DisplayName">Safe to log and trace: the key's name, or a hash of the IP address.</param>
public sealed record ClientIdentity(string Id, string DisplayName, string PlanName, PlanOptions Plan)
{
    /// <summary>Whether the caller presented an API key (else it is known by its address, under the anonymous plan).</summary>
    public bool HasApiKey => Id.StartsWith("key:", StringComparison.Ordinal);

    public static string HashAddress(string address) =>
        "ip-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(address)))[..12];
}
