using System.Text.RegularExpressions;

namespace QuickTry.Sandbox.Containers;

/// <summary>
/// The file names a run may use: relative paths of plain segments inside the work directory.
/// Checked by the executor even though the container confines writes, so a bad name is a clear 400.
/// </summary>
public static partial class FileNames
{
    public const int MaxLength = 128;
    public const int MaxDepth = 4;

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,63}$")]
    private static partial Regex Segment();

    public static bool IsValid(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxLength)
        {
            return false;
        }
        var segments = name.Split('/');
        return segments.Length <= MaxDepth
            && segments.All(s => Segment().IsMatch(s));
    }
}
