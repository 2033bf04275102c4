using System.Text.Json;
using Docker.DotNet;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using QuickTry.Sandbox;
using QuickTry.Sandbox.Containers;
using QuickTry.Sandbox.Languages;
using QuickTry.Sandbox.Runs;

namespace QuickTry.Executor.Tests.Docker;

/// <summary>Versions read from an image are kept by its id, so a restarted executor need not read them again.</summary>
public sealed class ImageVersionCacheTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), "quicktry-versions-" + Guid.NewGuid().ToString("N"), "versions.json");

    public void Dispose()
    {
        if (Directory.Exists(Path.GetDirectoryName(_file)))
        {
            Directory.Delete(Path.GetDirectoryName(_file)!, recursive: true);
        }
    }

    private ImageVersionCache Cache() =>
        new(Options.Create(new ExecutorOptions { VersionCacheFile = _file }), NullLogger<ImageVersionCache>.Instance);

    [Fact]
    public void What_one_executor_saved_the_next_finds_and_two_savers_keep_both()
    {
        var first = Cache();
        var second = Cache();
        first.Remember("sha256:a", "1.0");
        second.Remember("sha256:b", "2.0");
        first.Save();
        second.Save();

        var next = Cache();
        Assert.Equal("1.0", next.Find("sha256:a"));
        Assert.Equal("2.0", next.Find("sha256:b"));
        Assert.Null(next.Find("sha256:c"));
    }

    [Fact]
    public void An_unreadable_file_is_ignored_and_replaced()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_file)!);
        File.WriteAllText(_file, "{ not json");
        var cache = Cache();
        Assert.Null(cache.Find("sha256:a"));
        cache.Remember("sha256:a", "1.0");
        cache.Save();
        Assert.Equal("1.0", Cache().Find("sha256:a"));
    }

    [Fact]
    public async Task An_image_is_read_once_then_found_by_its_id()
    {
        using var host = Services();
        var provider = host.Services;
        var factory = provider.GetRequiredService<SandboxContainerFactory>();
        var docker = provider.GetRequiredService<IDockerClient>();
        Assert.True(provider.GetRequiredService<LanguageCatalog>().TryFind("bash", out var bash));
        var kind = new SandboxKind(Isolation.Container, "runc");

        var read = await factory.ReadImageVersionAsync(bash, kind, CancellationToken.None);
        Assert.Matches(@"^\d+\.\d+", read);
        var id = (await docker.Images.InspectImageAsync(factory.ImageOf(bash))).ID;
        var saved = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(_file))!;
        Assert.Equal(read, saved[id]);

        // What the file says for this image id is what a new executor answers, without a container.
        saved[id] = "9.9-from-the-file";
        File.WriteAllText(_file, JsonSerializer.Serialize(saved));
        using var restarted = Services();
        Assert.Equal("9.9-from-the-file",
            await restarted.Services.GetRequiredService<SandboxContainerFactory>().ReadImageVersionAsync(bash, kind, CancellationToken.None));
    }

    /// <summary>The sandbox's services, not started: no pool reads anything behind the test's back.</summary>
    private IHost Services()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Executor:InstanceName"] = "test-versions-" + Guid.NewGuid().ToString("N")[..8],
            ["Executor:VersionCacheFile"] = _file,
        });
        builder.Services.AddQuickTrySandbox(builder.Configuration);
        return builder.Build();
    }
}
