using System.Diagnostics;
using System.IO.Compression;

namespace QuickTry.Client.Tests;

/// <summary><c>dotnet pack QuickTry.Client</c> builds a package with the library, its XML docs and its README.</summary>
public sealed class PackageTests
{
    [Fact]
    public async Task Pack_produces_a_nupkg_with_the_dll_the_xml_docs_and_the_readme()
    {
        var project = Path.Combine(RepositoryRoot(), "QuickTry.Client", "QuickTry.Client.csproj");
        var output = Directory.CreateTempSubdirectory("quicktry-pack-");
        try
        {
            var start = new ProcessStartInfo("dotnet")
            {
                ArgumentList = { "pack", project, "-c", "Release", "-o", output.FullName, "--nologo" },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var pack = Process.Start(start)!;
            var stdout = pack.StandardOutput.ReadToEndAsync();
            var stderr = pack.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            await pack.WaitForExitAsync(timeout.Token);
            Assert.True(pack.ExitCode == 0, $"dotnet pack exited {pack.ExitCode}:\n{await stdout}\n{await stderr}");

            var package = Assert.Single(output.GetFiles("QuickTry.Client.*.nupkg"));
            using var zip = ZipFile.OpenRead(package.FullName);
            var entries = zip.Entries.Select(e => e.FullName).ToList();
            Assert.Contains("lib/net10.0/QuickTry.Client.dll", entries);
            Assert.Contains("lib/net10.0/QuickTry.Client.xml", entries);
            Assert.Contains("README.md", entries);
            var nuspec = await new StreamReader(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec")).Open()).ReadToEndAsync();
            Assert.Contains("<readme>README.md</readme>", nuspec);
            Assert.Contains("Microsoft.Extensions.Http", nuspec);
            using var docs = new StreamReader(zip.GetEntry("lib/net10.0/QuickTry.Client.xml")!.Open());
            Assert.Contains("M:QuickTry.Client.QuickTryClient.RunAsync", await docs.ReadToEndAsync());
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "QuickTry.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException($"No QuickTry.sln above {AppContext.BaseDirectory}.");
    }
}
