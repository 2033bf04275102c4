using Docker.DotNet;
using QuickTry.Sandbox.Containers;

namespace QuickTry.Sandbox.Pool;

/// <summary>Reads the toolchain version each language's image recorded (<c>/opt/quicktry/version</c>) into its pools.</summary>
internal sealed class ToolchainVersionReader(SandboxContainerFactory factory, ILogger logger)
{
    /// <summary>
    /// A few at a time: each read is a container created and removed, mostly the engine's work, and one by
    /// one the 106 images of a cold machine took over 20 s (the queue waits for them before taking runs).
    /// A pool whose language's version another pool already knows is skipped.
    /// </summary>
    public async Task ReadAsync(IEnumerable<LanguagePool> pools, Func<string, string?> known, CancellationToken stopping)
    {
        try
        {
            await Parallel.ForEachAsync(pools, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = stopping }, async (pool, cancellationToken) =>
            {
                if (known(pool.Language.Name) is not null)
                {
                    return;
                }
                try
                {
                    pool.Version = await factory.ReadImageVersionAsync(pool.Language, pool.Kind, cancellationToken);
                }
                catch (Exception e) when (e is DockerApiException or HttpRequestException or IOException or TimeoutException)
                {
                    logger.LogWarning(e, "Could not read the toolchain version of image {Image}", factory.ImageOf(pool.Language));
                }
            });
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopping: the versions not read yet stay unknown.
        }
    }

    /// <summary>The version a running sandbox reports, or null (logged) when it cannot be read.</summary>
    public async Task<string?> TryReadFromAsync(string containerId, CancellationToken cancellationToken)
    {
        try
        {
            return await factory.ReadVersionAsync(containerId, cancellationToken);
        }
        catch (DockerApiException e)
        {
            logger.LogWarning(e, "Could not read the toolchain version from sandbox {ContainerId}", containerId);
            return null;
        }
    }
}
