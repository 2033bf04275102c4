using QuickTry.Sandbox.Languages;

namespace QuickTry.Executor.Tests.Docker;

/// <summary>
/// Which language cases the suite runs in which mode. Every case runs under the default isolation and
/// runtime (slots, runc); one-run containers and gVisor take a set that proves each mode, since the whole
/// matrix under three modes does not fit a fresh 2-core machine's CI run. <c>scripts/test.sh --full</c>
/// (environment <c>QUICKTRY_TEST_FULL=1</c>) runs the whole matrix, for releases and the benchmark.
/// </summary>
public static class SuiteScope
{
    public static readonly LanguageCatalog Catalog = LanguageCatalog.Load(LanguageCatalog.ResolveFolder(null, AppContext.BaseDirectory));

    /// <summary>Whether the whole matrix runs under every mode.</summary>
    public static bool Full => Environment.GetEnvironmentVariable("QUICKTRY_TEST_FULL") == "1";

    /// <summary>
    /// One language version of each family the runner treats differently: interpreted (Python), compiled
    /// to a native binary (C; Rust and Go prove nothing more here and took 20-25 s each under gVisor), JVM,
    /// BEAM, .NET, R, transpiled (TypeScript) and a shell.
    /// </summary>
    public static readonly IReadOnlySet<string> Families = new HashSet<string>(StringComparer.Ordinal)
    {
        "python3-3.13", "typescript", "bash", "c", "java-25", "erlang-27", "csharp", "r-4.5",
    };

    /// <summary>
    /// Languages with a gVisor-specific fix: Vala and Genie compile in two steps, Groovy's launcher, Crystal
    /// on one thread. Under gVisor they run the case that proves the fix (<c>hello</c>: it compiles and
    /// runs), not their whole set (Crystal's five took 49 s there); <c>--full</c> runs every case.
    /// </summary>
    public static readonly IReadOnlySet<string> GVisorFixes = new HashSet<string>(StringComparer.Ordinal)
    {
        "groovy", "crystal", "vala", "genie",
    };

    /// <summary>
    /// The families (their JVM, BEAM, .NET and R cases also prove those runtimes fit their default limits
    /// under gVisor's time factor) and every language with a gVisor-specific fix. The other heavy runtimes
    /// (F#, VB, Clojure, Elixir, GAP, Scilab, Kotlin, Scala; 15-35 s a language here) are left to
    /// <c>--full</c>, where they passed with the same limits.
    /// </summary>
    public static readonly IReadOnlySet<string> GVisorLanguages = new HashSet<string>(Families.Concat(GVisorFixes), StringComparer.Ordinal);

    /// <summary>
    /// Language versions per row of a language-cases theory. A row runs its languages two at a time (see
    /// <see cref="LanguageCaseTests"/>) and ends when its slowest language's cases have, so rows take every
    /// so-many language of the catalog rather than neighbours: neighbours are often one family (Java 17, 21,
    /// 25 and Kotlin; Scala beside Rust), whose compiles then queued behind each other while a core idled.
    /// </summary>
    public const int LanguagesPerRow = 8;

    public static TheoryData<string> AllLanguages() => LanguagesWhere(_ => true);

    /// <summary>
    /// The families: one-run containers differ from slots in how the container is made and the job reaches
    /// it, not in what a language needs.
    /// </summary>
    public static TheoryData<string> OneRunContainerLanguageNames() => LanguagesWhere(Families.Contains);

    public static TheoryData<string> GVisorLanguageNames() => LanguagesWhere(GVisorLanguages.Contains);

    /// <summary>Whether a case runs under gVisor: every case of a family, the <c>hello</c> of a fixed language.</summary>
    public static bool RunsUnderGVisor(string name, string testCase) =>
        Full || !GVisorFixes.Contains(name) || testCase == "hello";

    /// <summary>Snippets as they are pasted from the web, in the forms that failed before toolchains and wrappers knew them.</summary>
    public static TheoryData<string, string, string> AllSnippets() => new()
    {
        { "java", "public class HelloWorld {\n    public static void main(String[] args) {\n        System.out.println(\"Hello, World! \" + args.length);\n    }\n}\n", "Hello, World! 0\n" },
        { "java", "import java.util.*;\n\nclass Helper { static int twice(int x) { return 2 * x; } }\n\nclass Solution {\n    public static void main(String[] args) {\n        System.out.println(Helper.twice(21));\n    }\n}\n", "42\n" },
        { "java", "public final class Point {\n    record P(int x, int y) {}\n    public static void main(String... args) { System.out.println(new P(1, 2)); }\n}\n", "P[x=1, y=2]\n" },
        { "kotlin", "fun main(args: Array<String>) {\n    println(\"args: ${args.size}\")\n}\n", "args: 0\n" },
        { "kotlin", "fun main() = println(listOf(3, 1, 2).sorted())\n", "[1, 2, 3]\n" },
        { "go", "// From the Go playground\n\npackage main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println(\"hi\")\n}\n", "hi\n" },
        { "rust", "fn main() {\n    let v: Vec<i32> = (1..=4).map(|x| x * x).collect();\n    println!(\"{:?}\", v);\n}\n", "[1, 4, 9, 16]\n" },
        { "cpp", "#include <bits/stdc++.h>\nusing namespace std;\nint main() { vector<int> v{3, 1, 2}; sort(v.begin(), v.end()); for (int x : v) cout << x << ' '; cout << endl; }\n", "1 2 3 \n" },
        { "python3", "import numpy as np\nimport pandas as pd\nprint(np.arange(4).sum(), pd.Series([1, 2]).mean())\n", "6 1.5\n" },
        { "typescript", "import { readFileSync } from 'fs';\nconst text: string = readFileSync(0, 'utf8');\nconsole.log(`${text.length} bytes`);\n", "0 bytes\n" },
        { "csharp", "using System.Text;\n\nvar sb = new StringBuilder();\nforeach (var n in Enumerable.Range(1, 3)) sb.Append(n);\nConsole.WriteLine($\"{sb} {args.Length}\");\n", "123 0\n" },
        { "java", "void main() {\n    IO.println(\"compact\");\n}\n", "compact\n" },
        { "r", "library(MASS)\nlibrary(Matrix)\ncat(as.character(fractions(0.75)), sum(diag(Matrix(c(1, 0, 0, 2), 2))), \"\\n\")\n", "3/4 3 \n" },
    };

    /// <summary>
    /// The pasted snippets outside slots: the heaviest import (Python with numpy and pandas) unless
    /// <see cref="Full"/>; the families' cases already run Java, C# and R in each mode with their defaults.
    /// </summary>
    public static TheoryData<string, string, string> ModeSnippets()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var row in AllSnippets())
        {
            var (lang, code) = ((string)row[0], (string)row[1]);
            if (Full || code.Contains("numpy", StringComparison.Ordinal))
            {
                data.Add(lang, code, (string)row[2]);
            }
        }
        return data;
    }

    /// <summary>The language versions in scope, about <see cref="LanguagesPerRow"/> to a row, every row-count'th of the catalog's order in one.</summary>
    private static TheoryData<string> LanguagesWhere(Func<string, bool> inScope)
    {
        var names = Catalog.All.Select(l => l.Name).Where(name => Full || inScope(name)).ToList();
        var rows = (names.Count + LanguagesPerRow - 1) / LanguagesPerRow;
        return [.. Enumerable.Range(0, rows).Select(row => string.Join(' ', names.Where((_, i) => i % rows == row)))];
    }
}
