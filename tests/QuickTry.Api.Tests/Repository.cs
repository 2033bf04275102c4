namespace QuickTry.Api.Tests;

/// <summary>Where the repository and this build's configuration are, seen from the test's output folder.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    /// <summary>Debug or Release: the folder above net10.0 in the test's output path.</summary>
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "QuickTry.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("QuickTry.sln not found above " + AppContext.BaseDirectory);
    }
}
