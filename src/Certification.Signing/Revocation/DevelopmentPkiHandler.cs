using System.Net;
using System.Net.Http.Headers;
using Certification.Signing.Pki;

namespace Certification.Signing.Revocation;

/// <summary>Answers requests for a development PKI's own URLs (OCSP, CRLs, CA certificates) in-process, without a
/// socket; anything else goes to <paramref name="inner"/> (the network by default).</summary>
public sealed class DevelopmentPkiHandler(DevelopmentPki pki, DevelopmentRevocationAuthority revocation, HttpMessageHandler? inner = null)
    : DelegatingHandler(inner ?? new HttpClientHandler())
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var uri = request.RequestUri!;
        if (!uri.AbsoluteUri.StartsWith(pki.BaseUrl.AbsoluteUri, StringComparison.OrdinalIgnoreCase))
            return await base.SendAsync(request, ct);
        var path = uri.AbsoluteUri[pki.BaseUrl.AbsoluteUri.Length..];
        byte[]? body = null;
        var type = "application/octet-stream";
        if (path.StartsWith("ocsp", StringComparison.Ordinal) && request.Content is not null)
        {
            body = revocation.Respond(await request.Content.ReadAsByteArrayAsync(ct));
            type = "application/ocsp-response";
        }
        else if (path.StartsWith("crl/", StringComparison.Ordinal) && path.EndsWith(".crl", StringComparison.Ordinal))
        {
            body = revocation.GetCrl(path[4..^4]);
            type = "application/pkix-crl";
        }
        else if (path.StartsWith("certs/", StringComparison.Ordinal) && path.EndsWith(".crt", StringComparison.Ordinal))
        {
            body = pki.FindAuthority(path[6..^4])?.Certificate.GetEncoded();
            type = "application/pkix-cert";
        }
        if (body is null) return new HttpResponseMessage(HttpStatusCode.NotFound) { RequestMessage = request };
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(type);
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = content, RequestMessage = request };
    }
}
