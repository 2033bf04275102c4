namespace QuickTry.AppHost;

internal static class ExecutorResourceExtensions
{
    /// <summary>The repository's docker-images folder, which holds the language definitions.</summary>
    public static string LanguagesFolder(this IDistributedApplicationBuilder builder) =>
        Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", "docker-images"));

    /// <summary>
    /// <c>QuickTry:SandboxRuntime</c> (e.g. <c>runsc</c>, set by <c>scripts/start.sh --gvisor</c>) becomes the
    /// executor's <c>Executor:Sandbox:Runtime</c>; unset leaves the executor's own configuration alone.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithSandboxRuntime(this IResourceBuilder<ProjectResource> executor, string? runtime) =>
        string.IsNullOrEmpty(runtime) ? executor : executor.WithEnvironment("Executor__Sandbox__Runtime", runtime);
}
