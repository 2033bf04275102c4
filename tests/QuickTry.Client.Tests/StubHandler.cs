using System.Collections.Concurrent;

namespace QuickTry.Client.Tests;

/// <summary>Answers every request with <see cref="Answer"/> and keeps what was sent, body included.</summary>
internal sealed class StubHandler(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
{
    public ConcurrentQueue<(HttpRequestMessage Request, string? Body)> Sent { get; } = new();

    public Func<HttpRequestMessage, HttpResponseMessage> Answer { get; set; } = answer;

    public QuickTryClient Client(string? apiKey = null) =>
        new(new HttpClient(this) { BaseAddress = new Uri("http://quicktry.test/") }, apiKey);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        Sent.Enqueue((request, body));
        return Answer(request);
    }
}
