using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace QuickTry.Api.Submissions;

/// <summary>
/// Delivers submission results to their <c>callbackUrl</c>: a <c>POST</c> of the same JSON as
/// <c>GET /submissions/{id}</c>, signed with HMAC-SHA256 over the body with the API key's callback secret
/// (<c>X-QuickTry-Signature: sha256=&lt;hex&gt;</c>), retried with doubling waits a bounded number of times.
/// Only addresses <see cref="CallbackAddresses"/> allows are ever connected to.
/// </summary>
public sealed class CallbackSender(IHttpClientFactory httpClients, IOptions<SubmissionOptions> options, ILogger<CallbackSender> logger) : BackgroundService
{
    public const string HttpClientName = "callbacks";
    public const string SignatureHeader = "X-QuickTry-Signature";
    public const string SubmissionHeader = "X-QuickTry-Submission";

    private readonly Channel<Callback> _pending = Channel.CreateBounded<Callback>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest });

    public void Enqueue(Callback callback)
    {
        if (!_pending.Writer.TryWrite(callback))
        {
            logger.LogWarning("Callback for submission {Id} dropped: too many pending", callback.SubmissionId);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var callback in _pending.Reader.ReadAllAsync(stoppingToken))
        {
            // Each delivery retries on its own schedule; one slow receiver does not hold up the others.
            _ = DeliverAsync(callback, stoppingToken);
        }
    }

    private async Task DeliverAsync(Callback callback, CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var signature = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(callback.Secret), Encoding.UTF8.GetBytes(callback.Body)));
        var wait = TimeSpan.FromMilliseconds(settings.CallbackFirstRetryMs);
        for (var attempt = 1; attempt <= settings.CallbackAttempts && !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                using var http = httpClients.CreateClient(HttpClientName);
                http.Timeout = TimeSpan.FromSeconds(settings.CallbackTimeoutSeconds);
                using var request = new HttpRequestMessage(HttpMethod.Post, callback.Url)
                {
                    Content = new StringContent(callback.Body, Encoding.UTF8, "application/json"),
                };
                request.Headers.Add(SignatureHeader, signature);
                request.Headers.Add(SubmissionHeader, callback.SubmissionId);
                request.Headers.Add("X-QuickTry-Attempt", attempt.ToString(System.Globalization.CultureInfo.InvariantCulture));
                using var response = await http.SendAsync(request, stoppingToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
                logger.LogInformation("Callback for submission {Id} answered {Status} (attempt {Attempt})", callback.SubmissionId, (int)response.StatusCode, attempt);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !stoppingToken.IsCancellationRequested)
            {
                logger.LogInformation("Callback for submission {Id} failed: {Error} (attempt {Attempt})", callback.SubmissionId, e.Message, attempt);
            }
            await Task.Delay(wait, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            wait *= 2;
        }
        logger.LogWarning("Callback for submission {Id} not delivered after {Attempts} attempts", callback.SubmissionId, settings.CallbackAttempts);
    }

    /// <summary>
    /// The callbacks' connection step: resolves the host itself and connects only to an address that is not
    /// internal (unless the host is allow-listed), so a name that resolves differently later cannot get in.
    /// </summary>
    public static SocketsHttpHandler CreateHandler(IReadOnlyCollection<string> allowedHosts) => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        ConnectCallback = async (context, cancellationToken) =>
        {
            var host = context.DnsEndPoint.Host;
            var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
            var allowed = CallbackAddresses.IsAllowed(host, allowedHosts);
            var target = addresses.FirstOrDefault(a => allowed || !CallbackAddresses.IsInternal(a))
                ?? throw new HttpRequestException($"Callback host '{host}' resolves only to internal addresses; refused.");
            var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(target, context.DnsEndPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}

/// <summary>One result to deliver: where, the body, the key's secret to sign it with.</summary>
public sealed record Callback(string SubmissionId, string Url, string Body, string Secret);
