using System.ComponentModel.DataAnnotations;

namespace QuickTry.Sandbox;

/// <summary>How the executor reaches the Docker engine and finds its languages (section <c>Executor</c>).</summary>
public sealed class ExecutorOptions
{
    public const string Section = "Executor";

    /// <summary>Docker engine endpoint; the local socket unless set.</summary>
    [Required]
    public string DockerEndpoint { get; set; } = "unix:///var/run/docker.sock";

    /// <summary>
    /// Names this executor's containers (label <c>quicktry.instance</c>). Containers with this label that the
    /// running process does not know are left over from a crash and are removed: give every executor that
    /// shares a Docker engine its own name.
    /// </summary>
    [Required, RegularExpression("^[A-Za-z0-9_.-]{1,63}$", ErrorMessage = "Executor:InstanceName may use letters, digits, '_', '.', '-' (at most 63).")]
    public string InstanceName { get; set; } = Environment.MachineName;

    /// <summary>The folder with one sub-folder per language; found by walking up from the app when unset.</summary>
    public string? LanguagesPath { get; set; }

    /// <summary>Language images are <c>{ImagePrefix}{language}:latest</c>, as scripts/setup.sh tags them.</summary>
    [Required]
    public string ImagePrefix { get; set; } = "quicktry/";

    /// <summary>
    /// Where toolchain versions read from images are kept by image id, so a restarted executor need not read
    /// them again (see <see cref="Containers.ImageVersionCache"/>); empty keeps them in memory only.
    /// </summary>
    public string? VersionCacheFile { get; set; } = DefaultVersionCacheFile();

    private static string? DefaultVersionCacheFile()
    {
        var data = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
        return string.IsNullOrEmpty(data) ? null : Path.Combine(data, "quicktry", "image-versions.json");
    }
}
