using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Xunit.Abstractions;

namespace QuickTry.Api.Tests.Piston;

/// <summary>Piston's WebSocket protocol (<c>/api/v2/connect</c>) against the real gateway, executor and engine.</summary>
[Collection(PistonStackCollection.Name)]
public sealed class PistonConnectTests(PistonStack stack, ITestOutputHelper output)
{
    [Fact]
    public async Task An_interpreted_program_streams_and_reads_stdin_in_Pistons_messages()
    {
        using var socket = await ConnectAsync();
        await SendAsync(socket, new { type = "init", language = "python", version = "*", files = new[] { new { content = "name = input()\nprint('hello', name, flush=True)" } } });

        var runtime = await ReceiveAsync(socket);
        Assert.Equal("runtime", runtime.GetProperty("type").GetString());
        Assert.Equal("python", runtime.GetProperty("language").GetString());
        Assert.Equal("run", (await ReceiveAsync(socket)).GetProperty("stage").GetString());
        await SendAsync(socket, new { type = "data", stream = "stdin", data = "ada\n" });

        var stdout = new StringBuilder();
        JsonElement message;
        while ((message = await ReceiveAsync(socket)).GetProperty("type").GetString() == "data")
        {
            Assert.Equal("stdout", message.GetProperty("stream").GetString());
            stdout.Append(message.GetProperty("data").GetString());
        }
        Assert.Equal("hello ada\n", stdout.ToString());
        Assert.Equal("exit", message.GetProperty("type").GetString());
        Assert.Equal("run", message.GetProperty("stage").GetString());
        Assert.Equal(0, message.GetProperty("code").GetInt32());
        await ExpectCloseAsync(socket, 4999);
    }

    [Fact]
    public async Task A_compiled_program_reports_its_compile_stage_first()
    {
        using var socket = await ConnectAsync();
        await SendAsync(socket, new { type = "init", language = "c", version = "*", files = new[] { new { name = "main.c", content = "#include <stdio.h>\nint main(void) { puts(\"compiled\"); return 3; }" } } });

        var types = new List<string>();
        JsonElement message;
        Assert.Equal("runtime", (await ReceiveAsync(socket)).GetProperty("type").GetString());
        var seen = new List<JsonElement>();
        while (true)
        {
            message = await ReceiveAsync(socket);
            seen.Add(message);
            output.WriteLine(message.GetRawText());
            if (message.GetProperty("type").GetString() == "exit" && message.GetProperty("stage").GetString() == "run")
            {
                break;
            }
        }
        Assert.Equal(["stage:compile", "exit:compile", "stage:run", "data:stdout", "exit:run"],
            seen.Select(m => m.GetProperty("type").GetString() + ":" + (m.TryGetProperty("stage", out var s) ? s.GetString() : m.GetProperty("stream").GetString())));
        Assert.Equal("compiled\n", seen[3].GetProperty("data").GetString());
        Assert.Equal(3, seen[4].GetProperty("code").GetInt32());
        await ExpectCloseAsync(socket, 4999);
    }

    [Fact]
    public async Task An_unknown_runtime_is_notified_then_closed_with_4002()
    {
        using var socket = await ConnectAsync();
        await SendAsync(socket, new { type = "init", language = "html", version = "5.0.0", files = new[] { new { content = "x" } } });
        var error = await ReceiveAsync(socket);
        Assert.Equal("error", error.GetProperty("type").GetString());
        Assert.Equal("html-5.0.0 runtime is unknown", error.GetProperty("message").GetString());
        await ExpectCloseAsync(socket, 4002);
    }

    [Fact]
    public async Task Stdin_before_init_is_closed_with_4003()
    {
        using var socket = await ConnectAsync();
        await SendAsync(socket, new { type = "data", stream = "stdin", data = "x" });
        await ExpectCloseAsync(socket, 4003);
    }

    private async Task<ClientWebSocket> ConnectAsync()
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri(stack.BaseUrl.Replace("http://", "ws://") + "/api/v2/connect"), CancellationToken.None);
        return socket;
    }

    private static Task SendAsync(WebSocket socket, object message) =>
        socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(message), WebSocketMessageType.Text, true, CancellationToken.None);

    private static async Task<JsonElement> ReceiveAsync(WebSocket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var buffer = new byte[1 << 20];
        var length = 0;
        while (true)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(length), timeout.Token);
            Assert.True(read.MessageType != WebSocketMessageType.Close, $"closed: {socket.CloseStatus} {socket.CloseStatusDescription}");
            length += read.Count;
            if (read.EndOfMessage)
            {
                return JsonDocument.Parse(buffer.AsMemory(0, length)).RootElement.Clone();
            }
        }
    }

    private static async Task ExpectCloseAsync(WebSocket socket, int code)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var read = await socket.ReceiveAsync(new byte[1024], timeout.Token);
        Assert.Equal(WebSocketMessageType.Close, read.MessageType);
        Assert.Equal(code, (int)socket.CloseStatus!.Value);
    }
}
