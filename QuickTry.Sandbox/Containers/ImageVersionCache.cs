using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace QuickTry.Sandbox.Containers;

/// <summary>
/// Toolchain versions by image id, kept in a file beside the executor (<see cref="ExecutorOptions.VersionCacheFile"/>).
/// An image id is the hash of the image's content, so a version read from it once holds for as long as the
/// image exists. Reading the ~110 versions through created containers took 30–40 s on a cold 2-core machine
/// at every executor start, and the queue waits for them before it takes runs.
/// </summary>
public sealed class ImageVersionCache(IOptions<ExecutorOptions> options, ILogger<ImageVersionCache> logger)
{
    private readonly string? _file = string.IsNullOrWhiteSpace(options.Value.VersionCacheFile) ? null : options.Value.VersionCacheFile;
    private readonly ConcurrentDictionary<string, string> _versions = new(StringComparer.Ordinal);
    private readonly Lock _loading = new();
    private bool _loaded;
    private int _unsaved;

    public string? Find(string imageId)
    {
        Load();
        return _versions.GetValueOrDefault(imageId);
    }

    public void Remember(string imageId, string version)
    {
        if (_versions.TryAdd(imageId, version))
        {
            Interlocked.Increment(ref _unsaved);
        }
    }

    /// <summary>
    /// Writes what was learned since the last save, merged with what other executors wrote meanwhile; a new
    /// file takes the old one's place in one rename, so a reader never sees half of one.
    /// </summary>
    public void Save()
    {
        if (_file is null || Interlocked.Exchange(ref _unsaved, 0) == 0)
        {
            return;
        }
        try
        {
            var merged = new Dictionary<string, string>(ReadFile(), StringComparer.Ordinal);
            foreach (var (id, version) in _versions)
            {
                merged[id] = version;
            }
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(_file))!);
            var temporary = $"{_file}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
            File.WriteAllText(temporary, JsonSerializer.Serialize(merged));
            File.Move(temporary, _file, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Only the next start's speed depends on it.
            logger.LogWarning(e, "Could not save the image versions to {File}", _file);
        }
    }

    private void Load()
    {
        if (_loaded)
        {
            return;
        }
        lock (_loading)
        {
            if (_loaded)
            {
                return;
            }
            foreach (var (id, version) in ReadFile())
            {
                _versions.TryAdd(id, version);
            }
            _loaded = true;
        }
    }

    private Dictionary<string, string> ReadFile()
    {
        if (_file is null || !File.Exists(_file))
        {
            return [];
        }
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(_file)) ?? [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            logger.LogWarning(e, "Ignoring the unreadable image version file {File}; versions are read from the images", _file);
            return [];
        }
    }
}
