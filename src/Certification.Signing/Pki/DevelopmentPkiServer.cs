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
    private readonly DevelopmentTrustResponder _responder;
    private readonly Task _loop;
    private int _stopped;

    private DevelopmentPkiServer(DevelopmentPki pki, TimeProvider? clock, TrustServiceFaults? faults, Remote.DevelopmentCscProvider? csc)
    {
        _responder = new DevelopmentTrustResponder(pki, faults, clock);
        Csc = csc;
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
    /// <param name="faults">Faults to inject (switchable while serving); none by default.</param>
    /// <param name="csc">A development remote signing provider to serve under <c>/csc/</c>.</param>
    /// <exception cref="InvalidOperationException">The port is taken or cannot be bound.</exception>
    public static DevelopmentPkiServer Start(DevelopmentPki pki, TimeProvider? clock = null, TrustServiceFaults? faults = null,
        Remote.DevelopmentCscProvider? csc = null)
    {
        ArgumentNullException.ThrowIfNull(pki);
        if (pki.BaseUrl.Scheme != Uri.UriSchemeHttp)
            throw new ArgumentException("The development server speaks plain HTTP; the base URL must be http://.", nameof(pki));
        return new DevelopmentPkiServer(pki, clock, faults, csc);
    }

    /// <summary>Where it listens: http://127.0.0.1:PORT/ (plus the base URL's path, if any).</summary>
    public Uri Url { get; }

    public DevelopmentTimestampAuthority Timestamps => _responder.Timestamps;

    public DevelopmentRevocationAuthority Revocation => _responder.Revocation;

    /// <summary>The faults switched on; change them while serving.</summary>
    public TrustServiceFaults Faults => _responder.Faults;

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
            path = path.StartsWith(Url.AbsolutePath, StringComparison.Ordinal) ? path[Url.AbsolutePath.Length..] : path.TrimStart('/');
            if (Csc is not null && path.StartsWith("csc/", StringComparison.Ordinal))
            {
                var answer = Csc.Handle(new Remote.CscHttpRequest(request.HttpMethod, path["csc/".Length..], request.Url?.Query ?? "", request.Headers["Authorization"],
                    request.ContentType, request.Headers["Accept"], request.HttpMethod == "POST" ? await ReadBodyAsync(request).ConfigureAwait(false) : []));
                response.StatusCode = answer.Status;
                response.ContentType = answer.ContentType;
                if (answer.Location is not null) response.RedirectLocation = answer.Location;
                response.ContentLength64 = answer.Body.Length;
                await response.OutputStream.WriteAsync(answer.Body).ConfigureAwait(false);
                return;
            }
            var body = request.HttpMethod == "POST" ? await ReadBodyAsync(request).ConfigureAwait(false) : null;
            var reply = await _responder.RespondAsync(request.HttpMethod, path, body).ConfigureAwait(false)
                        ?? TrustServiceReply.Text(404, $"Not found: {request.HttpMethod} /{path}");
            if (reply.Transport == ReplyTransport.ResetBeforeResponse)
            {
                response.Abort();
                return;
            }
            response.StatusCode = reply.Status;
            response.ContentType = reply.ContentType;
            response.ContentLength64 = reply.ContentLength;
            await reply.WriteBodyAsync(response.OutputStream).ConfigureAwait(false);
            if (reply.Transport == ReplyTransport.CutHalfway) response.Abort();
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
                // The client went away, or the response was aborted on purpose.
            }
        }
    }

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
            var reply = TrustServiceReply.Text(status, message);
            response.StatusCode = reply.Status;
            response.ContentType = reply.ContentType;
            response.OutputStream.Write(reply.Body);
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
