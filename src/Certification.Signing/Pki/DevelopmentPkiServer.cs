using System.Net;
using Certification.Signing.Revocation;
using Certification.Signing.Timestamps;

namespace Certification.Signing.Pki;

/// <summary>
/// Serves a <see cref="DevelopmentPki"/> over HTTP on loopback (HttpListener; no ASP.NET), on the port of
/// its base URL:
/// <list type="bullet">
/// <item><c>POST /tsa</c>: RFC 3161 time-stamps (application/timestamp-query → application/timestamp-reply);</item>
/// <item><c>POST /ocsp</c> and <c>GET /ocsp/{base64}</c>: OCSP (RFC 6960 Appendix A);</item>
/// <item><c>GET /crl/{slug}.crl</c>: CRLs (DER, application/pkix-crl);</item>
/// <item><c>GET /certs/{slug}.crt</c>: CA certificates (DER, application/pkix-cert, RFC 5280 § 4.2.2.1);</item>
/// <item><c>/csc/v2/…</c> and <c>/csc/approvals/…</c>: the development remote signing provider, when given one.</item>
/// </list>
/// </summary>
public sealed class DevelopmentPkiServer : IAsyncDisposable
{
    private const int MaxRequestBytes = 64 * 1024;

    private readonly HttpListener _listener;
    private readonly DevelopmentPki _pki;
    private readonly Task _loop;
    private int _stopped;

    private DevelopmentPkiServer(DevelopmentPki pki, TimeProvider? clock, Remote.DevelopmentCscProvider? csc)
    {
        _pki = pki;
        Csc = csc;
        Timestamps = new DevelopmentTimestampAuthority(pki.TimestampAuthority, clock ?? pki.Clock);
        Revocation = new DevelopmentRevocationAuthority(pki, clock);
        // Loopback only, whatever host name the base URL uses; same port and path.
        Url = new Uri($"http://127.0.0.1:{pki.BaseUrl.Port}{pki.BaseUrl.AbsolutePath}");
        _listener = new HttpListener();
        _listener.Prefixes.Add(Url.AbsoluteUri);
        try
        {
            _listener.Start();
        }
        catch (HttpListenerException e)
        {
            throw new InvalidOperationException($"Cannot listen on {Url}: {e.Message}", e);
        }
        _loop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>Starts serving at once; dispose to stop.</summary>
    /// <exception cref="InvalidOperationException">The port is taken or cannot be bound.</exception>
    public static DevelopmentPkiServer Start(DevelopmentPki pki, TimeProvider? clock = null, Remote.DevelopmentCscProvider? csc = null)
    {
        ArgumentNullException.ThrowIfNull(pki);
        if (pki.BaseUrl.Scheme != Uri.UriSchemeHttp)
            throw new ArgumentException("The development server speaks plain HTTP; the base URL must be http://.", nameof(pki));
        return new DevelopmentPkiServer(pki, clock, csc);
    }

    /// <summary>Where it listens: http://127.0.0.1:PORT/ (plus the base URL's path, if any).</summary>
    public Uri Url { get; }

    public DevelopmentTimestampAuthority Timestamps { get; }

    public DevelopmentRevocationAuthority Revocation { get; }

    /// <summary>The remote signing provider served under <c>/csc/</c>, if any.</summary>
    public Remote.DevelopmentCscProvider? Csc { get; }

    /// <summary>The CSC API base of <see cref="Csc"/>: <c>…/csc/v2/</c>.</summary>
    public Uri CscUrl => new(Url, "csc/v2/");

    /// <summary>Requests served so far (including errors).</summary>
    public int RequestCount => _requestCount;

    private int _requestCount;

    private async Task AcceptLoopAsync()
    {
        while (Volatile.Read(ref _stopped) == 0)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception) when (Volatile.Read(ref _stopped) != 0)
            {
                return;
            }
            catch (HttpListenerException)
            {
                continue;
            }
            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        Interlocked.Increment(ref _requestCount);
        var request = context.Request;
        var response = context.Response;
        try
        {
            var path = request.Url?.AbsolutePath ?? "/";
            if (path.StartsWith(Url.AbsolutePath, StringComparison.Ordinal))
                path = "/" + path[Url.AbsolutePath.Length..];
            var method = request.HttpMethod;
            if (Csc is not null && path.StartsWith("/csc/", StringComparison.Ordinal))
            {
                var answer = Csc.Handle(new Remote.CscHttpRequest(method, path["/csc/".Length..], request.Url?.Query ?? "", request.Headers["Authorization"],
                    request.ContentType, request.Headers["Accept"], method == "POST" ? await ReadBodyAsync(request) : []));
                response.StatusCode = answer.Status;
                response.ContentType = answer.ContentType;
                if (answer.Location is not null) response.RedirectLocation = answer.Location;
                response.ContentLength64 = answer.Body.Length;
                await response.OutputStream.WriteAsync(answer.Body).ConfigureAwait(false);
                return;
            }
            (int Status, string ContentType, byte[] Body) result = (method, path) switch
            {
                ("POST", "/tsa") => Ok("application/timestamp-reply", Timestamps.Respond(await ReadBodyAsync(request))),
                ("POST", "/ocsp" or "/ocsp/") => Ok("application/ocsp-response", Revocation.Respond(await ReadBodyAsync(request))),
                ("GET", _) when path.StartsWith("/ocsp/", StringComparison.Ordinal) => OcspGet(path["/ocsp/".Length..]),
                ("GET", _) when path.StartsWith("/crl/", StringComparison.Ordinal) && path.EndsWith(".crl", StringComparison.Ordinal) =>
                    Crl(path["/crl/".Length..^".crl".Length]),
                ("GET", _) when path.StartsWith("/certs/", StringComparison.Ordinal) && path.EndsWith(".crt", StringComparison.Ordinal) =>
                    CaCertificate(path["/certs/".Length..^".crt".Length]),
                _ => Text(404, $"Not found: {method} {path}"),
            };
            response.StatusCode = result.Status;
            response.ContentType = result.ContentType;
            response.ContentLength64 = result.Body.Length;
            await response.OutputStream.WriteAsync(result.Body).ConfigureAwait(false);
        }
        catch (RequestTooLargeException)
        {
            TryWriteError(response, 413, "Request too large.");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            TryWriteError(response, 500, "Internal error: " + e.Message);
        }
        finally
        {
            try
            {
                response.Close();
            }
            catch (Exception)
            {
                // The client went away.
            }
        }
    }

    private (int, string, byte[]) OcspGet(string encoded)
    {
        byte[] der;
        try
        {
            der = Convert.FromBase64String(Uri.UnescapeDataString(encoded));
        }
        catch (FormatException)
        {
            return Text(400, "The OCSP GET path is not base64.");
        }
        return Ok("application/ocsp-response", Revocation.Respond(der));
    }

    private (int, string, byte[]) Crl(string slug)
    {
        _pki.RefreshState();
        var crl = Revocation.GetCrl(slug);
        return crl is null ? Text(404, $"No CA '{slug}'.") : Ok("application/pkix-crl", crl);
    }

    private (int, string, byte[]) CaCertificate(string slug)
    {
        var authority = _pki.FindAuthority(slug);
        return authority is null ? Text(404, $"No CA '{slug}'.") : Ok("application/pkix-cert", authority.Certificate.GetEncoded());
    }

    private static (int, string, byte[]) Ok(string contentType, byte[] body) => (200, contentType, body);

    private static (int, string, byte[]) Text(int status, string text) =>
        (status, "text/plain; charset=utf-8", System.Text.Encoding.UTF8.GetBytes(text + "\n"));

    private static async Task<byte[]> ReadBodyAsync(HttpListenerRequest request)
    {
        if (request.ContentLength64 > MaxRequestBytes)
            throw new RequestTooLargeException();
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.InputStream.ReadAsync(chunk).ConfigureAwait(false)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxRequestBytes)
                throw new RequestTooLargeException();
        }
        return buffer.ToArray();
    }

    private static void TryWriteError(HttpListenerResponse response, int status, string message)
    {
        try
        {
            var (code, type, body) = Text(status, message);
            response.StatusCode = code;
            response.ContentType = type;
            response.OutputStream.Write(body);
        }
        catch (Exception)
        {
            // Headers already sent or client gone.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
            return;
        try
        {
            _listener.Stop();
        }
        finally
        {
            _listener.Close();
        }
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The loop ends with an exception from the closed listener.
        }
    }

    private sealed class RequestTooLargeException : Exception;
}
