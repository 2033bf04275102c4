namespace QuickTry.RunQueue;

/// <summary>What the queue's admission answered a run (or a batch) asking to be queued.</summary>
public abstract record QueueAdmission
{
    private QueueAdmission() { }

    public sealed record Admitted(string[] EntryIds) : QueueAdmission;

    /// <summary>No executor has sent a heartbeat recently (or none offers a slot).</summary>
    public sealed record NoExecutor : QueueAdmission;

    /// <summary>Live executors are full: running and waiting runs fill their slots and queues.</summary>
    public sealed record Full(int Capacity) : QueueAdmission;

    /// <summary>A run with one of the ids already exists (an id must never name two runs); nothing was added.</summary>
    public sealed record Duplicate : QueueAdmission;
}
