namespace QuickTry.Client.Tests;

public class LanguageVersionsTests
{
    [Theory]
    [InlineData("3.11.2", null, true)]
    [InlineData("3.11.2", "latest", true)]
    [InlineData("3.11.2", "3", true)]
    [InlineData("3.11.2", "3.11", true)]
    [InlineData("3.11.2", "3.11.2", true)]
    [InlineData("3.11.2", " 3.11 ", true)]
    [InlineData("3.11.2", "3.1", false)]
    [InlineData("3.11.2", "3.11.20", false)]
    [InlineData("21.0.8+9", "21", true)]
    [InlineData("10.0.0-rc.1", "10.0.0", true)]
    [InlineData("unknown", "3", false)]
    [InlineData(null, "3", false)]
    public void A_version_matches_itself_and_its_dotted_prefixes(string? version, string? requested, bool matches) =>
        Assert.Equal(matches, LanguageVersions.Matches(version, requested));

    [Fact]
    public void The_newest_match_is_picked_reading_versions_numerically()
    {
        string[] versions = ["3.9.18", "3.13.5", "unknown", "3.11.2"];

        Assert.Equal("3.13.5", LanguageVersions.Pick(versions, v => v, null));
        Assert.Equal("3.13.5", LanguageVersions.Pick(versions, v => v, "3"));
        Assert.Equal("3.11.2", LanguageVersions.Pick(versions, v => v, "3.11"));
        Assert.Null(LanguageVersions.Pick(versions, v => v, "2"));
        Assert.Equal(["3.13.5", "3.11.2", "3.9.18", "unknown"], versions.OrderByDescending(v => v, LanguageVersions.Comparer));
    }
}
