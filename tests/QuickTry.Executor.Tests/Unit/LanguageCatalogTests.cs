using QuickTry.Executor.Languages;
using QuickTry.Sandbox.Languages;

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
            foreach (var testCase in new[] { "hello", "echo", "runtime-error", "snippet" })
            {
                Assert.True(File.Exists(Path.Combine(language.Directory, "test", testCase, language.SourceFile)), $"{language.Name}: test/{testCase}/{language.SourceFile}");
            }
            Assert.True(File.Exists(Path.Combine(language.Directory, "test", "hello", "expected.txt")), $"{language.Name}: test/hello/expected.txt");
            Assert.True(File.Exists(Path.Combine(language.Directory, "test", "echo", "expected.txt")), $"{language.Name}: test/echo/expected.txt");
            Assert.True(File.Exists(Path.Combine(language.Directory, "test", "snippet", "expected.txt")), $"{language.Name}: test/snippet/expected.txt");
            Assert.Equal(language.IsCompiled, File.Exists(Path.Combine(language.Directory, "test", "compile-error", language.SourceFile)));
        }
    }

    [Fact]
    public void At_least_thirty_languages_are_there_including_the_ones_users_ask_for()
    {
        var catalog = LanguageCatalog.Load(LanguagesFolder);
        Assert.True(catalog.All.Count >= 30, $"only {catalog.All.Count} languages");
        foreach (var name in new[]
        {
            "python3", "javascript", "typescript", "bash", "c", "cpp", "csharp", "go", "java", "kotlin", "scala", "rust",
            "ruby", "php", "perl", "lua", "haskell", "ocaml", "commonlisp", "scheme", "racket", "prolog", "fortran",
            "pascal", "d", "nim", "elixir", "erlang", "r", "tcl", "sqlite", "awk",
        })
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
