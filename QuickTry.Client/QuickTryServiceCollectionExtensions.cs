using Microsoft.Extensions.DependencyInjection;

namespace QuickTry.Client;

/// <summary>Registers <see cref="QuickTryClient"/> with the HTTP client factory.</summary>
public static class QuickTryServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="QuickTryClient"/> as a typed client of the HTTP client factory (transient, over a
    /// pooled handler), calling the API at <paramref name="baseAddress"/>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="baseAddress">The API's address, e.g. <c>http://localhost:5080/</c>.</param>
    /// <param name="apiKey">The API key, sent as <c>X-Api-Key</c>; null calls anonymously.</param>
    /// <returns>The HTTP client's builder, to add handlers (e.g. resilience) or configure it further.</returns>
    public static IHttpClientBuilder AddQuickTryClient(this IServiceCollection services, Uri baseAddress, string? apiKey = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(baseAddress);
        return services
            .AddHttpClient(nameof(QuickTryClient), http => http.BaseAddress = baseAddress)
            .AddTypedClient(http => new QuickTryClient(http, apiKey));
    }
}
