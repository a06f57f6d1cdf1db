using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;

namespace Certification.Signing.Pki;

/// <summary>Answers requests for a development PKI's own URLs (TSA, OCSP, CRLs, CA certificates) in-process, without
/// a socket, through the same <see cref="DevelopmentTrustResponder"/> as <c>pki serve</c>, faults included: a reset
/// is the exception a reset socket gives, a cut body fails while it is read. Anything else goes to
/// <paramref name="inner"/> (the network by default).</summary>
public sealed class DevelopmentPkiHandler(DevelopmentTrustResponder responder, HttpMessageHandler? inner = null)
    : DelegatingHandler(inner ?? new HttpClientHandler())
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var uri = request.RequestUri!;
        var baseUrl = responder.Pki.BaseUrl.AbsoluteUri;
        if (!uri.AbsoluteUri.StartsWith(baseUrl, StringComparison.OrdinalIgnoreCase))
            return await base.SendAsync(request, ct).ConfigureAwait(false);
        var body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        var reply = await responder.RespondAsync(request.Method.Method, uri.AbsoluteUri[baseUrl.Length..], body, ct).ConfigureAwait(false)
                    ?? TrustServiceReply.Text(404, "Not found.");
        if (reply.Transport == ReplyTransport.ResetBeforeResponse)
            throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection reset by peer (injected fault).",
                new IOException("Connection reset by peer", new SocketException((int)SocketError.ConnectionReset)));
        var content = new StreamContent(new ReplyBodyStream(reply));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(reply.ContentType);
        content.Headers.ContentLength = reply.ContentLength;
        return new HttpResponseMessage((HttpStatusCode)reply.Status) { Content = content, RequestMessage = request };
    }

    /// <summary>A reply's body as the network delivers it: whole, padded with zeros to its announced length, or
    /// ending halfway with the exception HttpClient gives for a connection closed mid-body.</summary>
    private sealed class ReplyBodyStream(TrustServiceReply reply) : Stream
    {
        private long _position;
        private long End => reply.Transport == ReplyTransport.CutHalfway ? reply.Body.Length / 2 : reply.ContentLength;

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_position >= End)
            {
                if (reply.Transport == ReplyTransport.CutHalfway)
                    throw new HttpIOException(HttpRequestError.ResponseEnded, "The response ended prematurely (injected fault).");
                return 0;
            }
            var n = (int)Math.Min(count, End - _position);
            var fromBody = (int)Math.Clamp(reply.Body.Length - _position, 0, n);
            if (fromBody > 0) Array.Copy(reply.Body, _position, buffer, offset, fromBody);
            Array.Clear(buffer, offset + fromBody, n - fromBody);
            _position += n;
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
