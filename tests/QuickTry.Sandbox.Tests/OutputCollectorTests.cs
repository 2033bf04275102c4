using System.Text;
using QuickTry.Sandbox.Containers;

namespace QuickTry.Sandbox.Tests;

public class OutputCollectorTests
{
    private const string Nonce = "N0NCE";

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);
    private static string Trailer(int code = 0) => $"\x1eQTR {Nonce} {code} 1500 2000000 4096 2048 0 0\x1e";
    private static string EndMarker => $"\x1eQTE {Nonce}\x1e";

    [Fact]
    public void Interpreted_run_keeps_streams_apart_and_interleaves_output_in_arrival_order()
    {
        var collector = new OutputCollector(1024, compiled: false, compileCap: 1024, Nonce);
        collector.Append(false, B("out1\n"));
        collector.Append(true, B("err1\n"));
        collector.Append(false, B("out2\n"));
        collector.Append(true, B(Trailer(3)));

        var result = collector.Finish();

        Assert.Equal("out1\nout2\n", result.Stdout);
        Assert.Equal("err1\n", result.Stderr);
        Assert.Equal("out1\nerr1\nout2\n", result.Output);
        Assert.False(result.StdoutTruncated);
        Assert.False(result.StderrTruncated);
        Assert.Equal(new RunnerTrailer(3, 1.5, 2.0, 4096, 2048, OomKilled: false, TimedOut: false), result.Trailer);
    }

    [Theory]
    [InlineData("\x1eQTC x 5 3 0\n")]
    [InlineData("\x1eQTC 0 99999999999999999999999 3 0\n")]
    [InlineData("\x1eQTC 0 -5 3 0\n")]
    public void A_compile_header_with_fields_that_are_not_numbers_is_a_protocol_error_not_an_exception(string header)
    {
        // The first version called int.Parse on these fields: a malformed header became an executor 500.
        var collector = new OutputCollector(1024, compiled: true, compileCap: 1024, Nonce);
        collector.Append(false, B(header + "abc"));

        Assert.False(collector.CompileFinished);
        Assert.Equal("malformed compile header", collector.ProtocolError);
    }

    [Fact]
    public void Trailer_split_across_frames_is_still_recognised()
    {
        var collector = new OutputCollector(1024, compiled: false, compileCap: 1024, Nonce);
        var trailer = B("tail" + Trailer());
        collector.Append(true, trailer.AsSpan(0, 7));
        collector.Append(true, trailer.AsSpan(7));

        var result = collector.Finish();

        Assert.Equal("tail", result.Stderr);
        Assert.NotNull(result.Trailer);
    }

    [Fact]
    public void A_trailer_with_another_nonce_is_program_output_not_a_report()
    {
        var collector = new OutputCollector(1024, compiled: false, compileCap: 1024, Nonce);
        var forged = "\x1eQTR FORGED 0 1 1 1\x1e";
        collector.Append(true, B(forged));

        var result = collector.Finish();

        Assert.Null(result.Trailer);
        Assert.Equal(forged, result.Stderr);
    }

    [Fact]
    public void Stdout_past_its_cap_is_cut_at_the_cap_and_flagged()
    {
        var collector = new OutputCollector(10, compiled: false, compileCap: 1024, Nonce);
        collector.Append(false, B("0123456789ABCDEF"));
        Assert.False(collector.CapExceeded, "the end marker's room after the cap is not yet used up");
        collector.Append(false, new byte[OutputCollector.TrailerSlack]);
        Assert.True(collector.CapExceeded);

        var result = collector.Finish();
        Assert.Equal("0123456789", result.Stdout);
        Assert.True(result.StdoutTruncated);
        Assert.Equal("0123456789", result.Output);
    }

    [Fact]
    public void A_run_is_complete_once_both_end_marks_arrived_in_either_order_and_they_are_stripped()
    {
        var collector = new OutputCollector(1024, compiled: false, compileCap: 1024, Nonce);
        collector.Append(false, B("out"));
        collector.Append(true, B("err"));
        collector.Append(true, B(Trailer(5)));
        Assert.False(collector.Complete);
        collector.Append(false, B(EndMarker));
        Assert.True(collector.Complete);

        var result = collector.Finish();
        Assert.Equal("out", result.Stdout);
        Assert.Equal("err", result.Stderr);
        Assert.Equal("outerr", result.Output);
        Assert.False(result.StdoutTruncated);
        Assert.Equal(5, result.Trailer!.ExitCode);
    }

    [Fact]
    public void An_end_marker_with_another_nonce_does_not_complete_the_run()
    {
        var collector = new OutputCollector(1024, compiled: false, compileCap: 1024, Nonce);
        collector.Append(false, B("\x1eQTE FORGED\x1e"));
        collector.Append(true, B(Trailer()));

        Assert.False(collector.Complete);
        Assert.Equal("\x1eQTE FORGED\x1e", collector.Finish().Stdout);
    }

    [Fact]
    public void Output_exactly_at_the_cap_followed_by_the_end_marks_is_not_truncated()
    {
        var collector = new OutputCollector(10, compiled: false, compileCap: 1024, Nonce);
        collector.Append(false, B("0123456789" + EndMarker));
        collector.Append(true, B("abcdefghij" + Trailer()));

        var result = collector.Finish();
        Assert.Equal("0123456789", result.Stdout);
        Assert.Equal("abcdefghij", result.Stderr);
        Assert.False(result.StdoutTruncated);
        Assert.False(result.StderrTruncated);
        Assert.Equal("0123456789abcdefghij", result.Output);
    }

    [Fact]
    public void Stderr_may_hold_the_trailer_beyond_its_cap_without_counting_as_truncated()
    {
        var collector = new OutputCollector(10, compiled: false, compileCap: 1024, Nonce);
        collector.Append(true, B("0123456789" + Trailer()));

        Assert.False(collector.CapExceeded);
        var result = collector.Finish();
        Assert.Equal("0123456789", result.Stderr);
        Assert.False(result.StderrTruncated);
    }

    [Fact]
    public void Stderr_a_little_over_its_cap_without_a_trailer_is_truncated()
    {
        var collector = new OutputCollector(10, compiled: false, compileCap: 1024, Nonce);
        collector.Append(true, B("0123456789XYZ"));

        var result = collector.Finish();
        Assert.Equal("0123456789", result.Stderr);
        Assert.True(result.StderrTruncated);
    }

    [Fact]
    public void Memory_stays_bounded_however_much_is_written()
    {
        var collector = new OutputCollector(1024, compiled: false, compileCap: 1024, Nonce);
        var chunk = new byte[16 * 1024];
        for (var i = 0; i < 1000; i++)
        {
            collector.Append(false, chunk);
            collector.Append(true, chunk);
        }
        var result = collector.Finish();
        Assert.Equal(1024, result.Stdout.Length);
        Assert.Equal(1024, result.Stderr.Length);
        Assert.True(result.Output.Length <= 2 * 1024 + OutputCollector.TrailerSlack);
    }

    [Fact]
    public void Compile_output_is_separated_from_program_output()
    {
        var collector = new OutputCollector(1024, compiled: true, compileCap: 1024, Nonce);
        collector.Append(false, B("\x1eQTC 0 2500 4 0\ncout"));
        Assert.True(collector.CompileFinished);
        collector.Append(true, B("\x1eQTC 7 0\nwarning"));
        collector.Append(false, B("program says hi"));
        collector.Append(true, B(Trailer()));

        var result = collector.Finish();

        Assert.NotNull(result.Compile);
        Assert.Equal(0, result.Compile.ExitCode);
        Assert.Equal(2.5, result.Compile.WallTimeMs);
        Assert.Equal("cout", result.Compile.Stdout);
        Assert.Equal("warning", result.Compile.Stderr);
        Assert.Equal("program says hi", result.Stdout);
        Assert.Equal("", result.Stderr);
        Assert.Equal("program says hi", result.Output);
        Assert.Null(collector.ProtocolError);
    }

    [Fact]
    public void Compile_header_split_byte_by_byte_parses()
    {
        var collector = new OutputCollector(1024, compiled: true, compileCap: 1024, Nonce);
        foreach (var b in B("\x1eQTC 1 10 3 1\nerr"))
        {
            collector.Append(false, [b]);
        }
        var result = collector.Finish();
        Assert.Equal(1, result.Compile!.ExitCode);
        Assert.Equal("err", result.Compile.Stdout);
        Assert.True(result.Compile.Truncated);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_slots_wipe_verdict_after_the_end_marker_is_not_output_whether_or_not_it_shares_a_write(bool sameWrite)
    {
        var collector = new OutputCollector(1024, compiled: false, compileCap: 1024, Nonce);
        collector.Append(false, B("out\n"));
        collector.Append(true, B(Trailer()));
        var verdict = $"\x1eQTW {Nonce} ok\x1e";
        if (sameWrite)
        {
            collector.Append(false, B(EndMarker + verdict));
        }
        else
        {
            collector.Append(false, B(EndMarker));
            Assert.True(collector.Complete);
            Assert.Null(collector.WipeVerdict);
            collector.Append(false, B(verdict));
        }

        Assert.True(collector.Complete);
        Assert.Equal("ok", collector.WipeVerdict);
        // Moving the verdict out of stdout is not output past the cap (it once read as such: output_limit).
        Assert.False(collector.CapExceeded);
        var result = collector.Finish();
        Assert.Equal("out\n", result.Stdout);
        Assert.Equal("out\n", result.Output);
        Assert.False(result.StdoutTruncated);
    }

    [Fact]
    public void A_wipe_verdict_without_the_nonce_is_not_believed()
    {
        var collector = new OutputCollector(1024, compiled: false, compileCap: 1024, Nonce);
        collector.Append(true, B(Trailer()));
        collector.Append(false, B(EndMarker));
        collector.Append(false, B("\x1eQTW guessed ok\x1e"));

        Assert.Equal("malformed", collector.WipeVerdict);
    }

    [Fact]
    public void Output_that_fills_the_cap_exactly_is_not_reported_truncated_when_the_verdict_shares_its_write()
    {
        var collector = new OutputCollector(8, compiled: false, compileCap: 1024, Nonce);
        collector.Append(true, B(Trailer()));
        collector.Append(false, B("12345678" + EndMarker + $"\x1eQTW {Nonce} ok\x1e"));

        var result = collector.Finish();
        Assert.Equal("12345678", result.Stdout);
        Assert.False(result.StdoutTruncated);
    }

    [Fact]
    public void The_archive_of_out_follows_the_end_marker_and_is_not_output_even_in_one_read()
    {
        var archive = new byte[5000];
        Random.Shared.NextBytes(archive);
        var collector = new OutputCollector(100, compiled: false, compileCap: 1024, Nonce, artifactCap: 10_000);
        collector.Append(true, B(Trailer()));
        // The program's last output, the end marker, the archive's header and body and a slot's verdict in
        // one read, as a pipe may deliver them: the archive is far larger than the output cap.
        collector.Append(false, [.. B("hello\n" + EndMarker + $"\x1eQTA {Nonce} 5000 1\n"), .. archive[..3000]]);
        Assert.False(collector.Complete);
        Assert.False(collector.CapExceeded);
        collector.Append(false, [.. archive[3000..], .. B($"\x1eQTW {Nonce} ok\x1e")]);
        Assert.True(collector.Complete);

        var result = collector.Finish();
        Assert.Equal("hello\n", result.Stdout);
        Assert.Equal(archive, result.Artifacts);
        Assert.True(result.ArtifactsTruncated);
        Assert.Equal("ok", collector.WipeVerdict);
    }

    [Fact]
    public void An_end_marker_split_across_reads_is_still_found()
    {
        var collector = new OutputCollector(100, compiled: false, compileCap: 1024, Nonce, artifactCap: 10);
        var marked = "out" + EndMarker + $"\x1eQTA {Nonce} 0 0\n";
        collector.Append(false, B(marked[..6]));
        collector.Append(false, B(marked[6..]));
        collector.Append(true, B(Trailer()));
        Assert.True(collector.Complete);
        var result = collector.Finish();
        Assert.Equal("out", result.Stdout);
        Assert.Empty(result.Artifacts!);
    }

    [Theory]
    [InlineData("\x1eQTA WRONG 3 0\n")]
    [InlineData("\x1eQTA N0NCE 99999 0\n")]
    [InlineData("\x1eQTA N0NCE -1 0\n")]
    public void A_forged_or_oversized_archive_header_is_a_protocol_error(string header)
    {
        var collector = new OutputCollector(100, compiled: false, compileCap: 1024, Nonce, artifactCap: 10);
        collector.Append(true, B(Trailer()));
        collector.Append(false, B(EndMarker + header + "abc"));
        Assert.NotNull(collector.ProtocolError);
        Assert.Null(collector.Finish().Artifacts);
    }
}
