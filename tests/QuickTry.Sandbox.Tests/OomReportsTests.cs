using QuickTry.Sandbox.Engine;

namespace QuickTry.Sandbox.Tests;

/// <summary>An OOM report counts whether it came before the question or shortly after it.</summary>
public class OomReportsTests
{
    [Fact]
    public async Task A_report_before_or_during_the_wait_counts_and_none_is_a_no()
    {
        var reports = new OomReports();
        reports.Reported("early");
        Assert.True(await reports.WaitAsync("early", TimeSpan.FromMilliseconds(1), CancellationToken.None));

        var late = reports.WaitAsync("late", TimeSpan.FromSeconds(10), CancellationToken.None);
        Assert.False(late.IsCompleted);
        reports.Reported("late");
        Assert.True(await late);

        Assert.False(await reports.WaitAsync("never", TimeSpan.FromMilliseconds(20), CancellationToken.None));
    }

    [Fact]
    public async Task A_removed_container_is_forgotten()
    {
        var reports = new OomReports();
        reports.Reported("gone");
        reports.Forget("gone");
        Assert.False(await reports.WaitAsync("gone", TimeSpan.FromMilliseconds(20), CancellationToken.None));
    }
}
