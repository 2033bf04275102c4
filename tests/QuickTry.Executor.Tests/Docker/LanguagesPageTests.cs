using System.Net.Http.Json;
using System.Text.Json;

namespace QuickTry.Executor.Tests.Docker;

/// <summary>The README's table of languages says what <c>GET /languages</c> says, row for row.</summary>
[Collection(DockerCollection.Name)]
public class ReadmeLanguagesTests(ExecutorFixture executor)
{
    [Fact]
    public async Task The_readme_table_matches_get_languages()
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

        var readme = await File.ReadAllLinesAsync(FindReadme());
        var header = Array.IndexOf(readme, "| language | version | name | display name | aliases | compiled | libraries |");
        Assert.True(header >= 0, "README.md has no languages table");
        var rows = readme.Skip(header + 2).TakeWhile(l => l.StartsWith('|'))
            .Select(l => string.Join(" | ", l.Trim('|').Split('|').Select(c => c.Trim())))
            .ToList();

        Assert.Equal(expected, rows);
    }

    private static string FindReadme()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "README.md");
            if (File.Exists(candidate) && Directory.Exists(Path.Combine(dir.FullName, "docker-images")))
            {
                return candidate;
            }
        }
        throw new FileNotFoundException("README.md not found above the test assembly");
    }
}
