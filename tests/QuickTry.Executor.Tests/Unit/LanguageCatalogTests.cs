using QuickTry.Executor.Languages;

namespace QuickTry.Executor.Tests.Unit;

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
            Assert.True(File.Exists(Path.Combine(language.Directory, "test", language.SourceFile)), $"{language.Name}: test/{language.SourceFile}");
            Assert.True(File.Exists(Path.Combine(language.Directory, "test", "expected.txt")), $"{language.Name}: test/expected.txt");
        }
    }

    [Fact]
    public void The_first_five_languages_are_there()
    {
        var catalog = LanguageCatalog.Load(LanguagesFolder);
        foreach (var name in new[] { "python3", "javascript", "bash", "c", "go" })
        {
            Assert.True(catalog.TryFind(name, out _), name);
        }
        Assert.True(catalog.TryFind("js", out var js));
        Assert.Equal("javascript", js.Name);
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
