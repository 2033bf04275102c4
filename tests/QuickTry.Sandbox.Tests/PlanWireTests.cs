using QuickTry.Client;
using QuickTry.Protocol;

namespace QuickTry.Sandbox.Tests;

/// <summary>The caller's plan as the gateway writes it and an executor reads it, by a direct call or through the queue alike.</summary>
public class PlanWireTests
{
    public static TheoryData<PlanSandbox> Plans() =>
    [
        PlanSandbox.None,
        new(Isolation.Slot),
        new(Isolation.Container, SandboxRuntimes.Gvisor),
        new(null, SandboxRuntimes.Runc),
    ];

    [Theory]
    [MemberData(nameof(Plans))]
    public void What_the_gateway_writes_an_executor_reads_back_unchanged(PlanSandbox plan)
    {
        var (isolation, runtime) = PlanWire.Write(plan);

        Assert.True(PlanWire.TryRead(isolation, runtime, out var read, out var error), error);
        Assert.Equal(plan, read);

        var headers = new Dictionary<string, string>();
        RunHeaders.Write(headers.Add, "client-1", plan);
        Assert.Equal("client-1", headers[RunHeaders.Client]);
        Assert.True(PlanWire.TryRead(headers.GetValueOrDefault(RunHeaders.Isolation), headers.GetValueOrDefault(RunHeaders.Runtime), out var fromHeaders, out _));
        Assert.Equal(plan, fromHeaders);
    }

    [Theory]
    [InlineData("", null)]
    [InlineData(null, "")]
    public void Empty_and_missing_values_leave_the_choice_to_the_executor(string? isolation, string? runtime)
    {
        Assert.True(PlanWire.TryRead(isolation, runtime, out var plan, out _));
        Assert.Equal(PlanSandbox.None, plan);
    }

    [Fact]
    public void An_isolation_the_executor_does_not_know_asks_for_one_run_containers()
    {
        Assert.True(PlanWire.TryRead("microvm", null, out var plan, out _));
        Assert.Equal(Isolation.Container, plan.Isolation);
    }

    [Theory]
    [InlineData("../bin/sh")]
    [InlineData("runsc --debug")]
    public void A_runtime_that_is_not_a_runtime_name_is_refused_not_replaced_by_the_default(string runtime)
    {
        Assert.False(PlanWire.TryRead(null, runtime, out _, out var error));
        Assert.Contains("not a runtime name", error);
    }
}
