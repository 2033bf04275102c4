using System.Formats.Tar;

namespace QuickTry.Sandbox.Runs;

/// <summary>
/// The files a run wrote under <c>out/</c>, from the tar archive its runner sent after the end marker.
/// The archive is the run uid's work (it chose the files' names and contents), so only regular files with
/// plain relative names are taken; an archive cut at its cap keeps the files that arrived whole.
/// </summary>
internal static class ArtifactArchive
{
    /// <summary>The artifacts and whether any were left out (the runner cut the archive, or an entry was not a plain file).</summary>
    public static (IReadOnlyList<Artifact>? Artifacts, bool Truncated) Read(byte[]? archive, bool cut)
    {
        if (archive is not { Length: > 0 })
        {
            return (null, cut);
        }
        var artifacts = new List<Artifact>();
        var truncated = cut;
        try
        {
            using var reader = new TarReader(new MemoryStream(archive, writable: false));
            while (reader.GetNextEntry(copyData: false) is { } entry)
            {
                var path = entry.Name.StartsWith("./", StringComparison.Ordinal) ? entry.Name[2..] : entry.Name;
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || !IsPlainPath(path))
                {
                    continue;
                }
                using var data = new MemoryStream();
                entry.DataStream?.CopyTo(data);
                if (data.Length != entry.Length)
                {
                    truncated = true;
                    break;
                }
                artifacts.Add(new Artifact(path, MimeTypes.Of(path), data.Length, Convert.ToBase64String(data.GetBuffer(), 0, (int)data.Length)));
            }
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException or ArgumentException)
        {
            // The archive ends inside an entry: it was cut at the cap.
            truncated = true;
        }
        return (artifacts.Count == 0 ? null : artifacts, truncated);
    }

    private static bool IsPlainPath(string path) =>
        path.Length is > 0 and <= 255 && !path.StartsWith('/') && !path.Split('/').Any(part => part is "" or "." or "..")
        && !path.Any(char.IsControl);
}

/// <summary>Media types by file extension, for artifacts and session files.</summary>
public static class MimeTypes
{
    private static readonly Dictionary<string, string> ByExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".png"] = "image/png",
        [".jpg"] = "image/jpeg",
        [".jpeg"] = "image/jpeg",
        [".gif"] = "image/gif",
        [".svg"] = "image/svg+xml",
        [".webp"] = "image/webp",
        [".pdf"] = "application/pdf",
        [".json"] = "application/json",
        [".csv"] = "text/csv",
        [".html"] = "text/html",
        [".htm"] = "text/html",
        [".txt"] = "text/plain",
        [".md"] = "text/markdown",
    };

    public static string Of(string path) => ByExtension.GetValueOrDefault(Path.GetExtension(path), "application/octet-stream");
}
