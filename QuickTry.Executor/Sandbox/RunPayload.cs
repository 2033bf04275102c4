using System.Formats.Tar;
using System.Globalization;
using System.Text;
using QuickTry.Executor.Runs;

namespace QuickTry.Executor.Sandbox;

/// <summary>
/// The one job a sandbox's runner reads from stdin: a line the runner alone reads (the nonce and the
/// in-sandbox limits), then a tar archive of the user's files and the runner's <c>.qt/</c> instructions
/// (argument arrays, NUL-separated; see docker-images/base/runner).
/// </summary>
internal static class RunPayload
{
    public static byte[] Build(PreparedRun run, string nonce, int compileOutputCap, int inSandboxGraceMs)
    {
        using var buffer = new MemoryStream();
        var compileSeconds = Math.Max(1, (int)Math.Ceiling(run.Limits.CompileTimeMs / 1000.0));
        var runSeconds = (run.Limits.TimeMs + inSandboxGraceMs) / 1000.0;
        buffer.Write(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"{nonce} {compileSeconds} {compileOutputCap} {runSeconds:0.###}\n")));
        using (var tar = new TarWriter(buffer, TarEntryFormat.Pax, leaveOpen: true))
        {
            var folders = new HashSet<string>(StringComparer.Ordinal);
            Add(tar, folders, run.Language.SourceFile, run.Code);
            foreach (var (name, content) in run.Files)
            {
                Add(tar, folders, name, content);
            }
            Add(tar, folders, ".qt/run", NulSeparated(run.Language.Run));
            if (run.Language.IsCompiled)
            {
                Add(tar, folders, ".qt/compile", NulSeparated(run.Language.Compile!));
            }
            Add(tar, folders, ".qt/args", NulSeparated(run.Args));
            Add(tar, folders, ".qt/stdin", run.Stdin);
        }
        return buffer.ToArray();
    }

    private static string NulSeparated(IEnumerable<string> values) =>
        string.Concat(values.Select(v => v + "\0"));

    private static void Add(TarWriter tar, HashSet<string> folders, string name, string content)
    {
        // Parent folders first, so tar creates them with the runner's umask rather than implicitly.
        var slash = name.IndexOf('/');
        while (slash > 0)
        {
            var folder = name[..slash];
            if (folders.Add(folder))
            {
                tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, folder + "/")
                {
                    Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute,
                });
            }
            slash = name.IndexOf('/', slash + 1);
        }
        var entry = new PaxTarEntry(TarEntryType.RegularFile, name)
        {
            Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)),
        };
        tar.WriteEntry(entry);
    }
}
