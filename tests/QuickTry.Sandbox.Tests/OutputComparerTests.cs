using QuickTry.Sandbox.Judging;

namespace QuickTry.Sandbox.Tests;

public sealed class OutputComparerTests
{
    [Theory]
    [InlineData("3\n", "3\n")]
    [InlineData("3\n", "3")]
    [InlineData("a\nb\n", "a  \r\nb\t\r\n\r\n\n")]
    [InlineData("", "\n\n")]
    public void Lines_ignore_line_ends_trailing_blanks_and_trailing_empty_lines(string expected, string actual) =>
        Assert.Null(OutputComparer.FirstDifference(expected, actual, OutputComparisons.Lines, 0));

    [Theory]
    [InlineData("a\nb\n", "a\nc\n", 2, "b", "c")]
    [InlineData("a\nb\n", "a\n", 2, "b", "")]
    [InlineData("a\n", "a\nextra\n", 2, "", "extra")]
    [InlineData("a b\n", "a  b\n", 1, "a b", "a  b")]
    [InlineData("x\n", " x\n", 1, "x", " x")]
    public void Lines_name_the_first_line_that_differs(string expected, string actual, int line, string left, string right) =>
        Assert.Equal(new OutputDifference(line, left, right), OutputComparer.FirstDifference(expected, actual, OutputComparisons.Lines, 0));

    [Fact]
    public void Exact_counts_every_byte()
    {
        Assert.Null(OutputComparer.FirstDifference("a\r\n", "a\r\n", OutputComparisons.Exact, 0));
        Assert.Equal(new OutputDifference(1, "a", "a\r"), OutputComparer.FirstDifference("a\n", "a\r\n", OutputComparisons.Exact, 0));
        // A missing final newline differs on the line after it, where one side has an empty line and the other has ended.
        Assert.Equal(new OutputDifference(2, "", ""), OutputComparer.FirstDifference("a\n", "a", OutputComparisons.Exact, 0));
    }

    [Fact]
    public void Tokens_ignore_all_whitespace_but_not_the_tokens()
    {
        Assert.Null(OutputComparer.FirstDifference("1 2\n3", "1\n2   3\n\n", OutputComparisons.Tokens, 0));
        Assert.Equal(new OutputDifference(3, "3", "4"), OutputComparer.FirstDifference("1 2 3", "1 2 4", OutputComparisons.Tokens, 0));
        Assert.Equal(new OutputDifference(1, "1.0", "1"), OutputComparer.FirstDifference("1.0", "1", OutputComparisons.Tokens, 0));
    }

    [Theory]
    [InlineData("0.1", "0.1000000009", 1e-6, true)]
    [InlineData("0.1", "0.100001", 1e-6, false)]
    [InlineData("1000000000", "1000000500", 1e-6, true)] // relative
    [InlineData("1.0", "1", 0, true)]
    [InlineData("1e3", "1000", 0, true)]
    [InlineData("nan", "nan", 1e-6, true)] // equal as text
    [InlineData("nan", "NaN", 1e-6, false)]
    [InlineData("abc", "abd", 1, false)]
    public void Numbers_compare_within_the_tolerance(string expected, string actual, double tolerance, bool equal) =>
        Assert.Equal(equal, OutputComparer.FirstDifference(expected, actual, OutputComparisons.Numbers, tolerance) is null);

    [Fact]
    public void A_long_line_is_shown_cut()
    {
        var difference = OutputComparer.FirstDifference(new string('a', 1000), new string('b', 1000), OutputComparisons.Lines, 0)!;
        Assert.Equal(201, difference.Expected.Length);
        Assert.EndsWith("…", difference.Actual);
    }
}
