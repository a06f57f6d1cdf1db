using Certification.Signing.Validation.Policy;

namespace Certification.Signing.Revocation;

/// <summary>
/// Fetches what a validator may look up online (CRLs, OCSP responses, AIA issuer certificates) over
/// HTTP with a timeout and a size cap, so a slow or hostile server cannot stall or flood a verification.
/// Failures return null: the validator then reports what it could not check.
/// </summary>
public sealed class HttpValidationDataSource(HttpClient? httpClient = null, TimeSpan? timeout = null, long maxResponseBytes = 16 * 1024 * 1024)
    : IOnlineRevocationSource, IDisposable
{
    private readonly HttpClient _http = httpClient ?? new HttpClient();
    private readonly bool _ownsClient = httpClient is null;
    private readonly TimeSpan _timeout = timeout ?? TimeSpan.FromSeconds(10);

    public Task<byte[]?> FetchCrlAsync(Uri url, CancellationToken ct = default) => SendAsync(new HttpRequestMessage(HttpMethod.Get, url), ct);

    public Task<byte[]?> FetchCertificateAsync(Uri url, CancellationToken ct = default) => SendAsync(new HttpRequestMessage(HttpMethod.Get, url), ct);

    public Task<byte[]?> FetchOcspAsync(Uri responder, byte[] request, CancellationToken ct = default)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, responder) { Content = new ByteArrayContent(request) };
        message.Content.Headers.ContentType = new("application/ocsp-request");
        return SendAsync(message, ct);
    }

    private async Task<byte[]?> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        if (request.RequestUri is not { Scheme: "http" or "https" }) return null;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_timeout);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (!response.IsSuccessStatusCode || response.Content.Headers.ContentLength > maxResponseBytes) return null;
            await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = await body.ReadAsync(chunk, timeout.Token)) > 0)
            {
                if (buffer.Length + read > maxResponseBytes) return null;
                buffer.Write(chunk, 0, read);
            }
            return buffer.ToArray();
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
        {
            return null;
        }
        finally
        {
            request.Dispose();
        }
    }

    public void Dispose()
    {
        if (_ownsClient) _http.Dispose();
    }
}
