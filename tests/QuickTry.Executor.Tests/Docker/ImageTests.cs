using System.Collections.Concurrent;
using System.Diagnostics;
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
    private const string SetuidOrSetgid = "( -perm -4000 -o -perm -2000 ) -type f";

    /// <summary>
    /// Every language image, the failure listing every offending image and file. Where the engine keeps
    /// images as overlay2 layers on this host, each layer is read once from the host (148 layers for 110
    /// images, a few seconds); otherwise each image is scanned from a container of its own (about a minute).
    /// </summary>
    [Fact]
    public async Task No_image_has_setuid_or_setgid_files()
    {
        var images = new Dictionary<string, ImageInspectResponse>();
        foreach (var language in SuiteScope.Catalog.All.Select(l => l.Name))
        {
            images[language] = await executor.Docker.Images.InspectImageAsync($"quicktry/{language}:latest");
        }
        var found = images.Values.All(HasLayersOnThisHost)
            ? await FromLayersAsync(images)
            : await FromContainersAsync(images.Keys);
        Assert.True(found.IsEmpty, string.Join("\n", found.OrderBy(f => f.Key).Select(f => $"quicktry/{f.Key}: {f.Value}")));
    }

    /// <summary>
    /// The layers an image's files come from, top first: overlay2's upper directory, then its lower ones in
    /// the order overlayfs stacks them.
    /// </summary>
    private static string[] LayersOf(ImageInspectResponse image) =>
        image.GraphDriver.Name != "overlay2" ? []
        : [image.GraphDriver.Data["UpperDir"], .. (image.GraphDriver.Data.TryGetValue("LowerDir", out var lower) ? lower : "").Split(':', StringSplitOptions.RemoveEmptyEntries)];

    private static bool HasLayersOnThisHost(ImageInspectResponse image) =>
        LayersOf(image) is { Length: > 0 } layers && layers.All(Directory.Exists);

    /// <summary>
    /// Each layer's setuid and setgid files, found once however many images share the layer; a file counts
    /// for an image unless a layer above it in that image has an entry on its path or an ancestor's (the
    /// copy whose bits <c>strip-setuid</c> cleared, or a whiteout), which then is what the image shows.
    /// </summary>
    private static async Task<ConcurrentDictionary<string, string>> FromLayersAsync(Dictionary<string, ImageInspectResponse> images)
    {
        var layers = images.Values.SelectMany(LayersOf).Distinct().ToList();
        var filesByLayer = new ConcurrentDictionary<string, string[]>();
        await Parallel.ForEachAsync(layers, new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (layer, ct) =>
            filesByLayer[layer] = (await FindAsync(layer, ct)).Select(file => Path.GetRelativePath(layer, file)).ToArray());

        var found = new ConcurrentDictionary<string, string>();
        foreach (var (language, image) in images)
        {
            var stack = LayersOf(image);
            var visible = stack.SelectMany((layer, depth) => filesByLayer[layer]
                    .Where(file => !stack.Take(depth).Any(above => HasEntryOnPath(above, file)))
                    .Select(file => "/" + file))
                .ToList();
            if (visible.Count > 0)
            {
                found[language] = string.Join(' ', visible.Order(StringComparer.Ordinal));
            }
        }
        return found;
    }

    private static bool HasEntryOnPath(string layer, string relativeFile)
    {
        // The file itself in any form, or one of its folders replaced by something that is not a folder.
        var path = Path.Combine(layer, relativeFile);
        if (File.Exists(path) || Directory.Exists(path) || new FileInfo(path).LinkTarget is not null)
        {
            return true;
        }
        for (var folder = Path.GetDirectoryName(relativeFile); !string.IsNullOrEmpty(folder); folder = Path.GetDirectoryName(folder))
        {
            if (File.Exists(Path.Combine(layer, folder)))
            {
                return true;
            }
        }
        return false;
    }

    private static async Task<string[]> FindAsync(string folder, CancellationToken ct)
    {
        var start = new ProcessStartInfo("find") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { folder, "-xdev" }.Concat(SetuidOrSetgid.Split(' ')).Append("-print"))
        {
            start.ArgumentList.Add(argument);
        }
        using var find = Process.Start(start)!;
        var stdout = find.StandardOutput.ReadToEndAsync(ct);
        var stderr = find.StandardError.ReadToEndAsync(ct);
        await find.WaitForExitAsync(ct);
        Assert.True(find.ExitCode == 0, $"find in {folder} failed ({find.ExitCode}): {await stderr}");
        return (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>
    /// Every image from a container of its own, a few at a time (one after another took 90 s for 106
    /// images, mostly the engine creating and removing containers).
    /// </summary>
    private async Task<ConcurrentDictionary<string, string>> FromContainersAsync(IEnumerable<string> languages)
    {
        var found = new ConcurrentDictionary<string, string>();
        await Parallel.ForEachAsync(languages, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (language, _) =>
        {
            var files = await SetuidFilesInContainerAsync(language);
            if (files.Length > 0)
            {
                found[language] = files;
            }
        });
        return found;
    }

    private async Task<string> SetuidFilesInContainerAsync(string language)
    {
        var docker = executor.Docker;
        var created = await docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = $"quicktry/{language}:latest",
            User = "0:0",
            Entrypoint = ["find", "/", "-xdev", .. SetuidOrSetgid.Split(' '), "-print"],
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
