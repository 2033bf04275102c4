using System.Formats.Tar;
using System.Globalization;
using System.Text;
using QuickTry.Sandbox.Runs;

namespace QuickTry.Sandbox.Containers;

/// <summary>
/// A job as a sandbox's runner reads it from stdin: a line the runner alone reads (the nonce, the limits
/// it enforces and the archive's length), then a tar archive of the user's files and the runner's
/// <c>.qt/</c> instructions (argument arrays, NUL-separated; see docker-images/base/runner). The length
/// lets a slot's runner read exactly one job and leave the next one in the pipe.
/// </summary>
internal static class RunPayload
{
    /// <param name="perUidProcesses">
    /// RLIMIT_NPROC for the run's uid, or 0 for none. Slots set it (their uids are the run's alone); a
    /// one-run container's uid 10001 is shared by every such container on the host, and its PID limit is
    /// the container's own.
    /// </param>
    /// <param name="interactive">The program reads the runner's own stdin after the job (the caller's typing), not a file.</param>
    public static byte[] Build(PreparedRun run, string nonce, int compileOutputCap, int perUidProcesses, bool interactive = false)
    {
        var archive = Archive(run);
        // The optional fields are sent only when set, so images built before them keep serving other runs.
        var limits = run.Limits;
        var optional = run.Judged is { } judged ? $" 0 {judged.Cases.Count}"
            : ExpectsArtifacts(run) ? $" {(interactive ? 1 : 0)} 0 {limits.ArtifactBytes}"
            : interactive ? " 1" : "";
        var header = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"{nonce} {limits.CompileTimeMs} {compileOutputCap} {limits.TimeMs} {archive.Length} {perUidProcesses}{optional}\n"));
        return [.. header, .. archive];
    }

    /// <summary>Whether the runner sends the files under out/ after the run (a judged run's cases never do).</summary>
    public static bool ExpectsArtifacts(PreparedRun run) => run.Judged is null && run.Limits.ArtifactBytes > 0;

    private static byte[] Archive(PreparedRun run)
    {
        using var buffer = new MemoryStream();
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
            // A judged run's cases: input only; expected outputs never enter the sandbox.
            for (var i = 0; i < (run.Judged?.Cases.Count ?? 0); i++)
            {
                var test = run.Judged!.Cases[i];
                Add(tar, folders, $".qt/cases/{i + 1}/stdin", test.Stdin);
                Add(tar, folders, $".qt/cases/{i + 1}/args", NulSeparated(test.Args));
            }
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
