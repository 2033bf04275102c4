extern alias executor;

using System.Collections.Concurrent;
using executor::QuickTry.Executor.Queue;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace QuickTry.Api.Tests.Clients;

/// <summary>
/// Settings renamed so their names say what they limit (docs/configuration.md): an operator's existing
/// configuration keeps working under the old names, with a warning naming the new one, and a new name wins.
/// </summary>
public sealed class RenamedSettingsTests : RedisServerPerTest
{
    [Fact]
    public async Task The_gateways_old_setting_names_are_still_read_and_a_new_name_wins()
    {
        await using (var old = new ApiFactory(Redis, new() { ["Gateway:MaxConcurrentRuns"] = "3", ["Gateway:MaxQueuedRuns"] = "5" }))
        {
            var options = old.Services.GetRequiredService<IOptions<GatewayOptions>>().Value;
            Assert.Equal((3, 5), (options.MaxForwardedRuns, options.MaxWaitingRuns));
        }
        await using var both = new ApiFactory(Redis, new() { ["Gateway:MaxConcurrentRuns"] = "3", ["Gateway:MaxForwardedRuns"] = "7" });
        var chosen = both.Services.GetRequiredService<IOptions<GatewayOptions>>().Value;
        Assert.Equal((7, 64), (chosen.MaxForwardedRuns, chosen.MaxWaitingRuns));
    }

    [Fact]
    public void An_old_name_is_read_with_a_warning_naming_the_new_one()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Executor:Queue:SyncReservedSlots"] = "0" })
            .Build();
        var logs = new Recorder();
        var services = new ServiceCollection().AddLogging(logging => logging.AddProvider(logs));
        services.AddOptions<QueueWorkerOptions>().BindWithRenames(configuration.GetSection(QueueWorkerOptions.Section), QueueWorkerOptions.Renamed);
        using var provider = services.BuildServiceProvider();

        Assert.Equal(0, provider.GetRequiredService<IOptions<QueueWorkerOptions>>().Value.SyncReservedRuns);
        var warning = Assert.Single(logs.Entries);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Equal("The setting Executor:Queue:SyncReservedSlots is now Executor:Queue:SyncReservedRuns; the old name is still read, but use the new one.", warning.Message);
    }

    private sealed class Recorder : ILoggerProvider, ILogger
    {
        public ConcurrentQueue<(LogLevel Level, string Message)> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Enqueue((logLevel, formatter(state, exception)));

        public void Dispose()
        {
        }
    }
}
