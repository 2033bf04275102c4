using System.ComponentModel;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using QuickTry.Api.Clients;
using QuickTry.Api.RateLimiting;
using QuickTry.Api.Sessions;

namespace QuickTry.Api.Mcp;

/// <summary>
/// The session tools of <c>/mcp</c>: a sandbox of the caller's own that keeps its files (and, in Python, its
/// variables) between calls, as a notebook does. Each is the matching <c>/sessions</c> call in all but
/// transport: the same gateway, plan, rate limit, quota and trace; a refusal or an ended session is a tool error.
/// </summary>
[McpServerToolType]
public sealed class SessionTools(SessionGateway sessions, ClientRateLimiters limiters, IHttpContextAccessor http)
{
    [McpServerTool(Name = "create_session", Title = "Open a session", ReadOnly = false, Destructive = false, Idempotent = false, OpenWorld = false,
        UseStructuredContent = true, OutputSchemaType = typeof(SessionInfo))]
    [Description("Opens a session: a sandbox of your own (no network) whose files stay between runs until it is closed, idle too long "
        + "or at the end of its life. In Python the interpreter's state stays too (a Jupyter kernel): variables defined by one run_in_session "
        + "are there in the next, and the value of a cell's last expression comes back. Returns the session's id for the other session tools.")]
    public async Task<CallToolResult> CreateSessionAsync(
        [Description("Language name or alias, e.g. python3, bash, javascript (see list_languages).")] string language,
        [Description("The language's version, exact or a prefix; the newest when left out.")] string? version = null,
        [Description("Seconds without a call after which the session ends (default 300).")] int? idleTimeoutSeconds = null,
        CancellationToken cancellationToken = default)
    {
        var context = McpToolCalls.Tag(http, "create_session");
        if (McpToolCalls.RateLimited(limiters, context) is { } limited)
        {
            return limited;
        }
        var call = await sessions.CreateAsync(context.Client(), new SessionRequest { Lang = language, Version = version, IdleTimeoutSeconds = idleTimeoutSeconds },
            cancellationToken);
        if (call.Value is not { } info)
        {
            return McpToolCalls.Refused(call.Refusal!);
        }
        return new CallToolResult
        {
            Content = [new TextContentBlock { Text = string.Create(CultureInfo.InvariantCulture,
                $"session {info.Id}: {info.Lang} {info.Version}{(info.Stateful ? ", variables kept between runs" : ", files kept between runs")}; "
                + $"ends after {info.IdleTimeoutSeconds} s without a call, at the latest {info.EndsAt:u}") }],
            StructuredContent = JsonSerializer.SerializeToElement(info, ContractJson.Options),
        };
    }

    [McpServerTool(Name = "run_in_session", Title = "Run code in a session", ReadOnly = false, Destructive = false, Idempotent = false, OpenWorld = false,
        UseStructuredContent = true, OutputSchemaType = typeof(RunResult))]
    [Description("Runs code in a session's sandbox, beside its files, and returns stdout, stderr, exit code and status like run_code. "
        + "In Python the code is a notebook cell: earlier variables are there, the last expression's value is returned, and a matplotlib "
        + "figure (plt.show()) comes back as an image. Files the code writes under out/ come back too (images as images).")]
    public async Task<CallToolResult> RunInSessionAsync(
        [Description("The session's id, from create_session.")] string sessionId,
        [Description("The code to run.")] string code,
        [Description("Files to write into the session before the run: relative paths and UTF-8 text.")] RunFile[]? files = null,
        [Description("Time and output limits for this run (timeMs, outputBytes, artifactBytes).")] RequestedLimits? limits = null,
        CancellationToken cancellationToken = default)
    {
        var context = McpToolCalls.Tag(http, "run_in_session");
        if (McpToolCalls.RateLimited(limiters, context) is { } limited)
        {
            return limited;
        }
        var call = await sessions.RunAsync(context.Client(), sessionId, new SessionRunRequest { Code = code, Files = files, Limits = limits }, cancellationToken);
        return call.Value is { } result ? McpToolCalls.Result(result) : McpToolCalls.Refused(call.Refusal!);
    }

    [McpServerTool(Name = "write_file", Title = "Write a file into a session", ReadOnly = false, Destructive = true, Idempotent = true, OpenWorld = false)]
    [Description("Writes a file into a session's folder (replacing one of that name), for its runs to read.")]
    public async Task<CallToolResult> WriteFileAsync(
        [Description("The session's id, from create_session.")] string sessionId,
        [Description("The file's path in the session's folder, e.g. data/input.csv.")] string path,
        [Description("The file's content: UTF-8 text, or base64 when 'base64' is true.")] string content,
        [Description("Whether 'content' is base64 (for binary files).")] bool base64 = false,
        CancellationToken cancellationToken = default)
    {
        var context = McpToolCalls.Tag(http, "write_file");
        if (McpToolCalls.RateLimited(limiters, context) is { } limited)
        {
            return limited;
        }
        if (!SessionPaths.IsValid(path))
        {
            return McpToolCalls.Refused(Extensions.Refusal.Invalid(new Dictionary<string, string[]> { ["path"] = [SessionPaths.Rule] }, "The file path is invalid."));
        }
        byte[] bytes;
        try
        {
            bytes = base64 ? Convert.FromBase64String(content) : Encoding.UTF8.GetBytes(content);
        }
        catch (FormatException)
        {
            return McpToolCalls.Refused(Extensions.Refusal.Invalid(new Dictionary<string, string[]> { ["content"] = ["Not base64."] }, "The content is invalid."));
        }
        using var stream = new MemoryStream(bytes);
        var call = await sessions.WriteFileAsync(context.Client(), sessionId, path, stream, cancellationToken);
        return call.Refusal is { } refusal
            ? McpToolCalls.Refused(refusal)
            : new CallToolResult { Content = [new TextContentBlock { Text = $"wrote {path} ({bytes.Length} bytes)" }] };
    }

    [McpServerTool(Name = "read_file", Title = "Read a file of a session", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Reads a file of a session's folder: text as text, an image as an image, other binary files as base64.")]
    public async Task<CallToolResult> ReadFileAsync(
        [Description("The session's id, from create_session.")] string sessionId,
        [Description("The file's path in the session's folder, e.g. out/plot.png.")] string path,
        CancellationToken cancellationToken = default)
    {
        var context = McpToolCalls.Tag(http, "read_file");
        if (McpToolCalls.RateLimited(limiters, context) is { } limited)
        {
            return limited;
        }
        if (!SessionPaths.IsValid(path))
        {
            return McpToolCalls.Refused(Extensions.Refusal.Invalid(new Dictionary<string, string[]> { ["path"] = [SessionPaths.Rule] }, "The file path is invalid."));
        }
        var call = await sessions.ReadFileAsync(context.Client(), sessionId, path, cancellationToken);
        if (call.Value is not { } file)
        {
            return McpToolCalls.Refused(call.Refusal!);
        }
        if (file.ContentType.StartsWith("image/", StringComparison.Ordinal) && file.ContentType != "image/svg+xml")
        {
            return new CallToolResult { Content = [ImageContentBlock.FromBytes(file.Content, file.ContentType)] };
        }
        var text = IsText(file.Content) ? Encoding.UTF8.GetString(file.Content) : null;
        return new CallToolResult
        {
            Content = [new TextContentBlock { Text = text ?? $"{path} is binary ({file.Content.Length} bytes), base64:\n{Convert.ToBase64String(file.Content)}" }],
        };
    }

    [McpServerTool(Name = "list_files", Title = "List a session's files", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Lists the files of a session's folder with their sizes.")]
    public async Task<CallToolResult> ListFilesAsync(
        [Description("The session's id, from create_session.")] string sessionId,
        CancellationToken cancellationToken = default)
    {
        var context = McpToolCalls.Tag(http, "list_files");
        if (McpToolCalls.RateLimited(limiters, context) is { } limited)
        {
            return limited;
        }
        var call = await sessions.ListFilesAsync(context.Client(), sessionId, cancellationToken);
        if (call.Value is not { } files)
        {
            return McpToolCalls.Refused(call.Refusal!);
        }
        return new CallToolResult
        {
            Content = [new TextContentBlock { Text = files.Count == 0 ? "(no files)" : string.Join("\n", files.Select(f => $"{f.Path} ({f.Size} bytes)")) }],
            StructuredContent = JsonSerializer.SerializeToElement(new { files }, ContractJson.Options),
        };
    }

    [McpServerTool(Name = "close_session", Title = "Close a session", ReadOnly = false, Destructive = true, Idempotent = false, OpenWorld = false)]
    [Description("Closes a session: its sandbox, files and state are removed. Sessions also end by themselves when idle.")]
    public async Task<CallToolResult> CloseSessionAsync(
        [Description("The session's id, from create_session.")] string sessionId,
        CancellationToken cancellationToken = default)
    {
        var context = McpToolCalls.Tag(http, "close_session");
        var call = await sessions.CloseAsync(context.Client(), sessionId, cancellationToken);
        return call.Refusal is { } refusal
            ? McpToolCalls.Refused(refusal)
            : new CallToolResult { Content = [new TextContentBlock { Text = $"session {sessionId} closed; its sandbox is removed" }] };
    }

    private static bool IsText(byte[] content)
    {
        if (content.AsSpan().Contains((byte)0))
        {
            return false;
        }
        try
        {
            _ = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(content);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }
}
