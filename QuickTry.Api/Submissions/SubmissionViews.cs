using System.Text.Json;
using QuickTry.Api.Runs;
using QuickTry.RunQueue;

namespace QuickTry.Api.Submissions;

/// <summary>A queued run's record as its owner sees it (the contract's <see cref="SubmissionView"/>).</summary>
internal static class SubmissionViews
{
    public static SubmissionView From(RunRecord record) => record.State == RunStates.Invalid
        ? new SubmissionView
        {
            Id = record.Id,
            Status = SubmissionStatus.Invalid,
            Message = "The run request is invalid.",
            Errors = JsonSerializer.Deserialize<Dictionary<string, string[]>>(record.Detail ?? "{}", ContractJson.Options),
        }
        : new SubmissionView
        {
            Id = record.Id,
            Status = StatusOf(record.State),
            Result = record.State == RunStates.Done && record.Result is { } json ? JsonSerializer.Deserialize<RunResult>(json, ContractJson.Options) : null,
            Message = string.IsNullOrEmpty(record.Detail) ? null : record.Detail,
        };

    /// <summary>The queue's state of a run as the contract names it.</summary>
    public static SubmissionStatus StatusOf(string state) => state switch
    {
        RunStates.Queued => SubmissionStatus.Queued,
        RunStates.Running => SubmissionStatus.Running,
        RunStates.Done => SubmissionStatus.Done,
        RunStates.Expired => SubmissionStatus.Expired,
        RunStates.Lost => SubmissionStatus.Lost,
        RunStates.Invalid => SubmissionStatus.Invalid,
        RunStates.Unavailable => SubmissionStatus.Unavailable,
        RunStates.Cancelled => SubmissionStatus.Cancelled,
        _ => throw new InvalidOperationException($"The run queue holds a run in state '{state}', which no submission status names."),
    };
}
