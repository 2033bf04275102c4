using QuickTry.Sandbox.Languages;

namespace QuickTry.Sandbox.Tests;

public class LanguageCatalogTests
{
    private static string LanguagesFolder => LanguageCatalog.ResolveFolder(null, AppContext.BaseDirectory);

    [Fact]
    public void Every_language_folder_has_a_definition_a_dockerfile_and_a_test_program()
    {
        var catalog = LanguageCatalog.Load(LanguagesFolder);
        Assert.NotEmpty(catalog.All);
        foreach (var language in catalog.All)
        {
            Assert.True(File.Exists(Path.Combine(language.Directory, "Dockerfile")), $"{language.Name}: Dockerfile");
            var cases = catalog.TestCasesOf(language).ToDictionary(f => Path.GetFileName(f)!, f => f);
            foreach (var testCase in new[] { "hello", "echo", "runtime-error", "snippet" })
            {
                Assert.True(cases.TryGetValue(testCase, out var folder) && File.Exists(Path.Combine(folder, language.SourceFile)), $"{language.Name}: test/{testCase}/{language.SourceFile}");
            }
            foreach (var testCase in new[] { "hello", "echo", "snippet" })
            {
                Assert.True(File.Exists(Path.Combine(cases[testCase], "expected.txt")), $"{language.Name}: test/{testCase}/expected.txt");
            }
            Assert.Equal(language.IsCompiled, cases.ContainsKey("compile-error"));
            Assert.NotNull(language.Example);
        }
    }

    [Fact]
    public void At_least_fifty_languages_are_there_including_the_ones_users_ask_for()
    {
        var catalog = LanguageCatalog.Load(LanguagesFolder);
        Assert.True(catalog.All.Select(l => l.Family).Distinct().Count() >= 50, $"only {catalog.All.Select(l => l.Family).Distinct().Count()} languages");
        foreach (var name in new[]
        {
            "python3", "javascript", "typescript", "bash", "c", "cpp", "csharp", "go", "java", "kotlin", "scala", "rust",
            "ruby", "php", "perl", "lua", "haskell", "ocaml", "commonlisp", "scheme", "racket", "prolog", "fortran",
            "pascal", "d", "nim", "elixir", "erlang", "r", "tcl", "sqlite", "awk",
            "fsharp", "vbnet", "swift", "clojure", "groovy", "crystal", "raku", "octave", "zsh", "jq", "nasm", "forth",
            "tcc", "yabasic", "chicken", "elisp", "pike", "hy", "coffeescript",
        })
        {
            Assert.True(catalog.TryFind(name, out _), name);
        }
        Assert.True(catalog.TryFind("js", out var js));
        Assert.Equal("javascript", js.Name);
    }

    private static readonly LanguageDefinition Python = new() { Name = "python3", Aliases = ["py"], SourceFile = "main.py", Run = ["python3"] };
    private static readonly LanguageDefinition Python313 = new() { Name = "python3-3.13", VersionOf = "python3", SourceFile = "main.py", Run = ["python3"] };
    private static readonly Dictionary<string, string?> Versions = new() { ["python3"] = "3.11.2", ["python3-3.13"] = "3.13.5" };

    [Theory]
    [InlineData("python3", null, "python3-3.13")]
    [InlineData("PY", "3.11", "python3")]
    [InlineData("py", "3", "python3-3.13")]
    [InlineData("python3-3.13", null, "python3-3.13")]
    [InlineData("python3-3.13", "3.13.5", "python3-3.13")]
    public void A_language_resolves_to_the_newest_version_asked_for(string lang, string? version, string expected)
    {
        var catalog = new LanguageCatalog([Python, Python313]);

        Assert.Equal(expected, catalog.Resolve(lang, version, l => Versions[l.Name], out var error)?.Name);
        Assert.Null(error);
        Assert.Equal([Python313, Python], catalog.VersionsOf(Python).OrderByDescending(l => Versions[l.Name], LanguageVersions.Comparer));
    }

    [Theory]
    [InlineData("python3", "2", "version", "Unknown version '2' of python3. Valid: 3.13.5, 3.11.2.")]
    [InlineData("python3-3.13", "3.11", "version", "Unknown version '3.11' of python3. Valid: 3.13.5, 3.11.2.")]
    [InlineData("cobol", null, "lang", "Unknown language 'cobol'. Valid: python3.")]
    public void An_unknown_language_or_version_names_the_valid_ones(string lang, string? version, string field, string message)
    {
        var catalog = new LanguageCatalog([Python, Python313]);

        Assert.Null(catalog.Resolve(lang, version, l => Versions[l.Name], out var error));
        Assert.Equal((field, message), error);
    }

    [Fact]
    public void A_version_of_a_language_that_has_no_folder_of_its_own_is_a_start_up_error()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new LanguageCatalog([Python313]));
        Assert.Contains("'python3'", error.Message);
    }

    [Fact]
    public void Every_version_folder_is_a_version_of_a_language_folder_and_named_after_it()
    {
        var catalog = LanguageCatalog.Load(LanguagesFolder);
        foreach (var version in catalog.All.Where(l => l.VersionOf is not null))
        {
            Assert.True(catalog.TryFind(version.VersionOf!, out var language) && language.VersionOf is null, version.Name);
            Assert.StartsWith(version.VersionOf + "-", version.Name);
            Assert.Empty(version.Aliases);
        }
    }

    [Fact]
    public void Two_languages_claiming_one_alias_is_a_start_up_error()
    {
        var a = new LanguageDefinition { Name = "a", Aliases = ["x"], SourceFile = "a", Run = ["a"] };
        var b = new LanguageDefinition { Name = "b", Aliases = ["X"], SourceFile = "b", Run = ["b"] };
        var error = Assert.Throws<InvalidOperationException>(() => new LanguageCatalog([a, b]));
        Assert.Contains("'X'", error.Message);
    }
}
