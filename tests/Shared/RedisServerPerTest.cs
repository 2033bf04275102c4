namespace QuickTry.Testing;

/// <summary>A test class whose every test gets a real redis-server of its own, started before the test and removed after it.</summary>
public abstract class RedisServerPerTest : IAsyncLifetime
{
    protected RedisServer Redis { get; } = new();

    public virtual Task InitializeAsync() => Redis.StartAsync();

    public virtual async Task DisposeAsync() => await Redis.DisposeAsync();
}
