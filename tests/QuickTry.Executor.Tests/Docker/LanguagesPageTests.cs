using System.Net.Http.Json;
using System.Text.Json;

namespace QuickTry.Executor.Tests.Docker;

/// <summary>The languages page's table (<c>docs/languages.md</c>) says what <c>GET /languages</c> says, row for row.</summary>
[Collection(DockerCollection.Name)]
public class LanguagesPageTests(ExecutorFixture executor)
{
    [Fact]
    public async Task The_languages_page_table_matches_get_languages()
    {
        var languages = await executor.Client.GetFromJsonAsync<JsonElement>("/languages");
        var expected = languages.EnumerateArray()
            .Select(l => string.Join(" | ",
                l.GetProperty("language").GetString(),
                l.GetProperty("version").GetString(),
                l.GetProperty("name").GetString(),
                l.GetProperty("displayName").GetString(),
                string.Join(", ", l.GetProperty("aliases").EnumerateArray().Select(a => a.GetString())),
                l.GetProperty("compiled").GetBoolean() ? "yes" : "no",
                string.Join(", ", l.GetProperty("libraries").EnumerateArray().Select(a => a.GetString()))))
            .ToList();

        var page = await File.ReadAllLinesAsync(FindLanguagesPage());
        var header = Array.IndexOf(page, "| language | version | name | display name | aliases | compiled | libraries |");
        Assert.True(header >= 0, "docs/languages.md has no languages table");
        var rows = page.Skip(header + 2).TakeWhile(l => l.StartsWith('|'))
            .Select(l => string.Join(" | ", l.Trim('|').Split('|').Select(c => c.Trim())))
            .ToList();

        Assert.Equal(expected, rows);
    }

    private static string FindLanguagesPage()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "docs", "languages.md");
            if (File.Exists(candidate) && Directory.Exists(Path.Combine(dir.FullName, "docker-images")))
            {
                return candidate;
            }
        }
        throw new FileNotFoundException("docs/languages.md not found above the test assembly");
    }
}
