using QuickTry.Api.Piston;

namespace QuickTry.Api.Tests.Piston;

/// <summary>Piston's version selector (npm ranges) against QuickTry's toolchain versions; pure logic.</summary>
public sealed class PistonVersionsTests
{
    [Theory]
    [InlineData("3.11.2", "3.11.2")]
    [InlineData("20.19", "20.19.0")]
    [InlineData("1.63.0", "1.63.0")]
    [InlineData("6.8.0.105", "6.8.0")]
    [InlineData("v18.20.4", "18.20.4")]
    [InlineData("17", "17.0.0")]
    public void Toolchain_versions_are_coerced_to_semver(string version, string expected) =>
        Assert.Equal(expected, PistonVersions.Coerce(version)!.ToString());

    [Theory]
    [InlineData("unknown")]
    [InlineData("")]
    [InlineData(null)]
    public void A_version_without_numbers_has_no_semver(string? version) => Assert.Null(PistonVersions.Coerce(version));

    [Theory]
    [InlineData("3.11.2", "*", true)]
    [InlineData("3.11.2", "x", true)]
    [InlineData("3.11.2", "3", true)]
    [InlineData("3.11.2", "3.x", true)]
    [InlineData("3.11.2", "3.11.x", true)]
    [InlineData("3.11.2", "3.11.2", true)]
    [InlineData("3.11.2", "3.11.3", false)]
    [InlineData("3.11.2", "3.10", false)]
    [InlineData("3.11.2", "2.x", false)]
    [InlineData("3.11.2", "^3.10", true)]
    [InlineData("3.11.2", "^3.12", false)]
    [InlineData("3.11.2", "~3.11.0", true)]
    [InlineData("3.11.2", "~3.10.0", false)]
    [InlineData("3.11.2", ">=3.9 <4", true)]
    [InlineData("3.11.2", ">3.11.2", false)]
    [InlineData("3.11.2", "<=3.11.2", true)]
    [InlineData("3.11.2", "3.0.0 - 3.11.2", true)]
    [InlineData("3.11.2", "2.x || 3.x", true)]
    [InlineData("20.19", "20.19.0", true)]
    [InlineData("20.19", "^20", true)]
    [InlineData("6.8.0.105", "6.8", true)]
    [InlineData("3.11.2", "not a range", false)]
    [InlineData("unknown", "*", false)]
    public void Ranges_match_as_npm_matches_them(string version, string range, bool expected) =>
        Assert.Equal(expected, PistonVersions.Satisfies(version, range));
}
