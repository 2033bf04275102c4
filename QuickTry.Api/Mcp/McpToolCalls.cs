using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.Features;
using ModelContextProtocol.Protocol;
using QuickTry.Api.Clients;
using QuickTry.Api.Extensions;
using QuickTry.Api.RateLimiting;

namespace QuickTry.Api.Mcp;

/// <summary>What every tool call does alike: its trace tagged, the caller's rate limit, refusals as tool errors, results as content.</summary>
internal static class McpToolCalls
{
    /// <summary>The request the call came in, its trace tagged with the tool as a run's is with its language.</summary>
    public static HttpContext Tag(IHttpContextAccessor http, string tool)
    {
        var context = http.HttpContext ?? throw new InvalidOperationException("MCP tools run within their HTTP request.");
        (context.Features.Get<IHttpActivityFeature>()?.Activity ?? Activity.Current)?.SetTag("quicktry.mcp.tool", tool);
        return context;
    }

    /// <summary>
    /// Spends one of the caller's requests, as an HTTP call to the same endpoint would: a tool error saying
    /// when to retry when none is left, else null.
    /// </summary>
    public static CallToolResult? RateLimited(ClientRateLimiters limiters, HttpContext context)
    {
        using var lease = limiters.AttemptAcquire(context.Client());
        if (lease.IsAcquired)
        {
            return null;
        }
        var wait = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(1);
        return Refused(Refusal.RateLimited(wait, "Too many requests: this client's rate limit is used up."));
    }

    /// <summary>A refusal as a tool error: what was wrong, field by field in the tool's own names, and when to retry.</summary>
    public static CallToolResult Refused(Refusal refusal)
    {
        var text = new StringBuilder(refusal.Title);
        if (refusal.Detail is { } detail)
        {
            text.Append(' ').Append(detail);
        }
        if (refusal.Reason is { } reason)
        {
            text.Append(CultureInfo.InvariantCulture, $" (reason: {reason})");
        }
        foreach (var (field, errors) in refusal.Errors ?? new Dictionary<string, string[]>())
        {
            text.Append(CultureInfo.InvariantCulture, $"\n{(field == "lang" ? "language" : field)}: {string.Join(" ", errors)}");
        }
        Activity.Current?.SetStatus(ActivityStatusCode.Error, refusal.Title);
        return new CallToolResult { IsError = true, Content = [new TextContentBlock { Text = text.ToString() }] };
    }

    /// <summary>
    /// A run's result as a model reads it: the text (how it ended, then the output), each figure the kernel
    /// displayed and each image the program wrote under out/ as image content, and the result as structured content.
    /// </summary>
    public static CallToolResult Result(RunResult result)
    {
        List<ContentBlock> content = [new TextContentBlock { Text = CodeTools.Describe(result) }];
        foreach (var output in result.Outputs ?? [])
        {
            if (output.MimeType is "image/png" or "image/jpeg")
            {
                content.Add(ImageContentBlock.FromBytes(Convert.FromBase64String(output.Data), output.MimeType));
            }
        }
        foreach (var artifact in result.Artifacts ?? [])
        {
            if (artifact.MimeType is "image/png" or "image/jpeg" or "image/gif" or "image/webp")
            {
                content.Add(ImageContentBlock.FromBytes(Convert.FromBase64String(artifact.Data), artifact.MimeType));
            }
        }
        return new CallToolResult { Content = content, StructuredContent = JsonSerializer.SerializeToElement(result, ContractJson.Options) };
    }
}
