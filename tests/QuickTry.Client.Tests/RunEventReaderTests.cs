using System.Net;
using System.Text;

namespace QuickTry.Client.Tests;

/// <summary>
/// The live run's server-sent events, as <c>POST /run</c> with <c>Accept: text/event-stream</c> sends them
/// (RunEvents.cs), read from hand-written text.
/// </summary>
public sealed class RunEventReaderTests
{
    private const string Result = """{"runId":"r1","lang":"python3","version":"3.11.2","status":"ok","exitCode":0,"stdout":"hi\n","stderr":"oops","output":"hi\noops","wallTimeMs":12.5,"limits":{"timeMs":3000,"compileTimeMs":10000,"memoryMb":128,"pids":64,"outputBytes":65536}}""";

    private static readonly string Stream =
        ": the server's keep-alive comment\n\n" +
        "event: stdout\ndata: {\"text\":\"hi\\n\"}\n\n" +
        "event: stderr\ndata: {\"text\":\"oops\"}\n\n" +
        $"event: result\ndata: {Result}\n\n";

    private static async Task<List<RunEvent>> ReadAsync(string text, int bytesPerRead = int.MaxValue)
    {
        var events = new List<RunEvent>();
        await foreach (var runEvent in RunEventReader.ReadAsync(new TrickleStream(Encoding.UTF8.GetBytes(text), bytesPerRead), CancellationToken.None))
        {
            events.Add(runEvent);
        }
        return events;
    }

    [Fact]
    public async Task Output_then_the_result_which_is_the_last_event()
    {
        var events = await ReadAsync(Stream);

        Assert.Equal(3, events.Count);
        Assert.Equal(new RunOutput(OutputStream.Stdout, "hi\n"), events[0]);
        Assert.Equal(new RunOutput(OutputStream.Stderr, "oops"), events[1]);
        var result = Assert.IsType<RunCompleted>(events[2]).Result;
        Assert.Equal(RunStatus.Ok, result.Status);
        Assert.Equal("hi\n", result.Stdout);
        Assert.Equal(12.5, result.WallTimeMs);
        Assert.Equal(65_536, result.Limits.OutputBytes);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(64)]
    public async Task Events_split_across_reads_at_any_byte_read_the_same(int bytesPerRead)
    {
        // "é" and "→" are two and three bytes: a read that ends inside one must not break it.
        var text = Stream.Replace("hi\\n", "héllo → wörld\\n");

        var events = await ReadAsync(text, bytesPerRead);

        Assert.Equal(3, events.Count);
        Assert.Equal(new RunOutput(OutputStream.Stdout, "héllo → wörld\n"), events[0]);
        Assert.IsType<RunCompleted>(events[2]);
    }

    [Fact]
    public async Task Comments_anywhere_and_crlf_line_ends_are_ignored()
    {
        var text = ": opening comment\r\n" +
                   "event: stdout\r\n: a comment inside an event\r\ndata: {\"text\":\"a\"}\r\n\r\n" +
                   ":\r\n\r\n" +
                   $"event: result\r\ndata: {Result}\r\n\r\n";

        var events = await ReadAsync(text, bytesPerRead: 3);

        Assert.Equal([new RunOutput(OutputStream.Stdout, "a")], events.Take(1));
        Assert.IsType<RunCompleted>(events[1]);
    }

    [Fact]
    public async Task Data_over_several_lines_is_one_value_joined_by_newlines()
    {
        // Each data: line is a piece of one JSON value; the lines join with "\n", which JSON reads as space.
        var text = "event: stdout\ndata: {\ndata:   \"text\": \"two\\nlines\"\ndata: }\n\n" +
                   "event: result\n" + string.Join("", Result.Split(',').Select((part, i) => (i == 0 ? "data: " : ",\ndata: ") + part)) + "\n\n";

        var events = await ReadAsync(text);

        Assert.Equal(new RunOutput(OutputStream.Stdout, "two\nlines"), events[0]);
        Assert.Equal("r1", Assert.IsType<RunCompleted>(events[1]).Result.RunId);
    }

    [Fact]
    public async Task Data_without_a_space_after_the_colon_and_events_of_unknown_names_are_read_as_the_format_says()
    {
        var text = "event: progress\ndata: {\"percent\":50}\n\n" +
                   "data: an unnamed event is a 'message', which runs do not send\n\n" +
                   "event:stderr\ndata:{\"text\":\"tight\"}\n\n" +
                   $"event: result\ndata: {Result}\n\n";

        var events = await ReadAsync(text);

        Assert.Equal(2, events.Count);
        Assert.Equal(new RunOutput(OutputStream.Stderr, "tight"), events[0]);
    }

    [Fact]
    public async Task Nothing_is_read_after_the_result()
    {
        var text = Stream + "event: stdout\ndata: {\"text\":\"after the end\"}\n\n";

        var events = await ReadAsync(text);

        Assert.IsType<RunCompleted>(events[^1]);
        Assert.DoesNotContain(new RunOutput(OutputStream.Stdout, "after the end"), events);
    }

    [Fact]
    public async Task A_result_event_cut_off_before_its_blank_line_is_not_a_result()
    {
        // The format: "If the file ends in the middle of an event, before the final empty line, the
        // incomplete event is not dispatched." The connection broke; whatever arrived may be partial.
        var error = await Assert.ThrowsAsync<HttpRequestException>(() => ReadAsync($"event: result\ndata: {Result}\n"));
        Assert.Equal(HttpRequestError.ResponseEnded, error.HttpRequestError);
    }

    [Theory]
    [InlineData("")]
    [InlineData("event: stdout\ndata: {\"text\":\"cut off\"}\n\n")]
    [InlineData("event: stdout\ndata: {\"text\":\"cut off\"}\n\nevent: res")]
    public async Task A_stream_that_ends_before_the_result_is_a_transport_failure(string text)
    {
        var error = await Assert.ThrowsAsync<HttpRequestException>(() => ReadAsync(text));
        Assert.Equal(HttpRequestError.ResponseEnded, error.HttpRequestError);
    }

    [Theory]
    [InlineData("event: stdout\ndata: not json\n\n")]
    [InlineData("event: result\ndata: {\"runId\":\"r1\"}\n\n")]
    [InlineData("event: result\ndata: null\n\n")]
    public async Task An_event_whose_data_is_off_contract_is_an_error_naming_the_event(string text)
    {
        var error = await Assert.ThrowsAsync<QuickTryException>(() => ReadAsync(text));
        Assert.Equal(HttpStatusCode.OK, error.StatusCode);
        Assert.Contains(text[7..13].Trim(), error.Title);
    }

    [Fact]
    public async Task Reading_stops_when_cancelled()
    {
        using var cancel = new CancellationTokenSource();
        var events = new List<RunEvent>();
        var stream = new TrickleStream(Encoding.UTF8.GetBytes(Stream), 8);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var runEvent in RunEventReader.ReadAsync(stream, cancel.Token))
            {
                events.Add(runEvent);
                cancel.Cancel();
            }
        });
        Assert.Single(events);
    }

    /// <summary>A stream that hands out at most <c>bytesPerRead</c> bytes a read, as a network stream may.</summary>
    private sealed class TrickleStream(byte[] bytes, int bytesPerRead) : MemoryStream(bytes)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, bytesPerRead));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, bytesPerRead)]);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return base.ReadAsync(buffer[..Math.Min(buffer.Length, bytesPerRead)], cancellationToken);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }
}
