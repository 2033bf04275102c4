using System.Globalization;

namespace QuickTry.Sandbox.Judging;

/// <summary>
/// Compares a test case's stdout with its expected output, as online judges do, and finds the first
/// difference to show. Pure: no I/O, no state.
/// </summary>
public static class OutputComparer
{
    // What a difference shows of each side at most: enough to see the mismatch, never a whole output back.
    private const int ShownChars = 200;

    /// <summary>Null when <paramref name="actual"/> is accepted; else where it first differs.</summary>
    public static OutputDifference? FirstDifference(string expected, string actual, string compare, double tolerance) => compare switch
    {
        OutputComparisons.Exact => Exact(expected, actual),
        OutputComparisons.Tokens => Tokens(expected, actual, tolerance: null),
        OutputComparisons.Numbers => Tokens(expected, actual, tolerance),
        _ => Lines(expected, actual),
    };

    /// <summary>Byte for byte; the difference names the first line that differs.</summary>
    private static OutputDifference? Exact(string expected, string actual)
    {
        if (string.Equals(expected, actual, StringComparison.Ordinal))
        {
            return null;
        }
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        for (var i = 0; ; i++)
        {
            var left = i < e.Length ? e[i] : null;
            var right = i < a.Length ? a[i] : null;
            if (!string.Equals(left, right, StringComparison.Ordinal))
            {
                return new OutputDifference(i + 1, Shown(left), Shown(right));
            }
        }
    }

    /// <summary>Line by line: CR before LF, spaces and tabs at a line's end and trailing empty lines do not count.</summary>
    private static OutputDifference? Lines(string expected, string actual)
    {
        var e = NormalizedLines(expected);
        var a = NormalizedLines(actual);
        for (var i = 0; i < Math.Max(e.Count, a.Count); i++)
        {
            var left = i < e.Count ? e[i] : null;
            var right = i < a.Count ? a[i] : null;
            if (!string.Equals(left, right, StringComparison.Ordinal))
            {
                return new OutputDifference(i + 1, Shown(left), Shown(right));
            }
        }
        return null;
    }

    private static List<string> NormalizedLines(string text)
    {
        var lines = text.Split('\n').Select(l => l.TrimEnd(' ', '\t', '\r')).ToList();
        while (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }
        return lines;
    }

    /// <summary>Whitespace-separated tokens in order; with a tolerance, numbers compare within it.</summary>
    private static OutputDifference? Tokens(string expected, string actual, double? tolerance)
    {
        var e = expected.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var a = actual.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            var left = i < e.Length ? e[i] : null;
            var right = i < a.Length ? a[i] : null;
            if (left is null || right is null || !TokensEqual(left, right, tolerance))
            {
                return new OutputDifference(i + 1, Shown(left), Shown(right));
            }
        }
        return null;
    }

    private static bool TokensEqual(string expected, string actual, double? tolerance)
    {
        if (string.Equals(expected, actual, StringComparison.Ordinal))
        {
            return true;
        }
        if (tolerance is not { } t
            || !double.TryParse(expected, NumberStyles.Float, CultureInfo.InvariantCulture, out var x)
            || !double.TryParse(actual, NumberStyles.Float, CultureInfo.InvariantCulture, out var y)
            || !double.IsFinite(x) || !double.IsFinite(y))
        {
            return false;
        }
        var difference = Math.Abs(x - y);
        return difference <= t || difference <= t * Math.Max(Math.Abs(x), Math.Abs(y));
    }

    private static string Shown(string? text) =>
        text is null ? "" : text.Length <= ShownChars ? text : text[..ShownChars] + "…";
}
