using System.Collections.Concurrent;
using Docker.DotNet.Models;
using QuickTry.Sandbox.Containers;

namespace QuickTry.Executor.Tests.Docker;

/// <summary>
/// What every image must be, whatever the isolation or runtime that later runs it: checked once per image
/// on the one engine that holds them all (under each mode it would scan the same files again).
/// </summary>
[Collection(DockerCollection.Name)]
public class ImageTests(ExecutorFixture executor)
{
    /// <summary>
    /// Every image at once, a few scans at a time (one after another took 90 s for 106 images, mostly the
    /// engine creating and removing containers); the failure lists every offending image and file.
    /// </summary>
    [Fact]
    public async Task No_image_has_setuid_or_setgid_files()
    {
        var found = new ConcurrentDictionary<string, string>();
        await Parallel.ForEachAsync(SuiteScope.Catalog.All.Select(l => l.Name), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (language, _) =>
        {
            var files = await SetuidFilesAsync(language);
            if (files.Length > 0)
            {
                found[language] = files;
            }
        });
        Assert.True(found.IsEmpty, string.Join("\n", found.OrderBy(f => f.Key).Select(f => $"quicktry/{f.Key}: {f.Value}")));
    }

    private async Task<string> SetuidFilesAsync(string language)
    {
        var docker = executor.Docker;
        var created = await docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = $"quicktry/{language}:latest",
            User = "0:0",
            Entrypoint = ["find", "/", "-xdev", "(", "-perm", "-4000", "-o", "-perm", "-2000", ")", "-type", "f", "-print"],
            HostConfig = new HostConfig { NetworkMode = "none" },
            Labels = new Dictionary<string, string> { [SandboxLabels.Instance] = executor.InstanceName },
        });
        try
        {
            using var stream = await docker.Containers.AttachContainerAsync(created.ID, tty: false,
                new ContainerAttachParameters { Stream = true, Stdout = true, Stderr = true });
            await docker.Containers.StartContainerAsync(created.ID, new ContainerStartParameters());
            var (stdout, stderr) = await stream.ReadOutputToEndAsync(CancellationToken.None);
            var exit = await docker.Containers.WaitContainerAsync(created.ID);
            return exit.StatusCode == 0 ? stdout.Trim().Replace('\n', ' ') : $"the scan failed ({exit.StatusCode}): {stderr}";
        }
        finally
        {
            await docker.Containers.RemoveContainerAsync(created.ID, new ContainerRemoveParameters { Force = true });
        }
    }
}
