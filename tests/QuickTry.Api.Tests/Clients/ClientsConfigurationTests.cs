using System.Net;
using Microsoft.Extensions.Options;
using QuickTry.Api.Clients;

namespace QuickTry.Api.Tests.Clients;

/// <summary>
/// Who a caller is: keys and plans that contradict themselves refuse to start naming the setting, and
/// anonymous IPv6 callers are one client per /64.
/// </summary>
public sealed class ClientsConfigurationTests : RedisServerPerTest
{
    [Fact]
    public async Task Two_api_keys_with_one_name_refuse_to_start()
    {
        await using var api = new ApiFactory(Redis, new()
        {
            ["Clients:ApiKeys:1:Name"] = "alice",
            ["Clients:ApiKeys:1:Key"] = "another-key-for-alice-0123",
            ["Clients:ApiKeys:1:Plan"] = "standard",
        });
        var error = Assert.Throws<OptionsValidationException>(() => api.CreateClient());
        Assert.Contains("Clients:ApiKeys:1:Name 'alice' is used by another key", error.Message);
    }

    [Theory]
    [InlineData("RequestsPerMinute", "0", "Clients:Plans:anonymous:RequestsPerMinute must be 1..1000000.")]
    [InlineData("RequestsPerMinute", "-5", "Clients:Plans:anonymous:RequestsPerMinute must be 1..1000000.")]
    [InlineData("RequestsPerMinute", "1000001", "Clients:Plans:anonymous:RequestsPerMinute must be 1..1000000.")]
    [InlineData("Burst", "0", "Clients:Plans:anonymous:Burst must be 1..100000.")]
    public async Task A_plan_with_a_nonsense_rate_refuses_to_start_naming_the_setting(string setting, string value, string message)
    {
        await using var api = new ApiFactory(Redis, new() { [$"Clients:Plans:anonymous:{setting}"] = value });
        var error = Assert.Throws<OptionsValidationException>(() => api.CreateClient());
        Assert.Contains(message, error.Message);
    }

    [Theory]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::/64")]
    [InlineData("::ffff:192.0.2.7", "192.0.2.7")]
    [InlineData("192.0.2.7", "192.0.2.7")]
    [InlineData("::1", "::1")]
    public void Anonymous_ipv6_callers_are_keyed_by_their_64(string address, string key) =>
        Assert.Equal(key, ClientResolver.AnonymousKey(IPAddress.Parse(address)));
}
