namespace Certification.Signing.Remote;

/// <summary>Calls a <see cref="DevelopmentCscProvider"/> in-process (no socket): the demo service and in-memory
/// hosts sign remotely exactly as they would over the network. Paths are taken after <c>/csc/</c>.</summary>
public sealed class DevelopmentCscHandler(DevelopmentCscProvider provider) : HttpMessageHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var path = request.RequestUri!.AbsolutePath;
        var at = path.IndexOf("/csc/", StringComparison.Ordinal);
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        var answer = provider.Handle(new CscHttpRequest(request.Method.Method, at < 0 ? path : path[(at + "/csc/".Length)..], request.RequestUri.Query,
            request.Headers.Authorization?.ToString(), request.Content?.Headers.ContentType?.ToString(), request.Headers.Accept.ToString(), body));
        var response = new HttpResponseMessage((System.Net.HttpStatusCode)answer.Status) { Content = new ByteArrayContent(answer.Body), RequestMessage = request };
        response.Content.Headers.TryAddWithoutValidation("Content-Type", answer.ContentType);
        if (answer.Location is not null) response.Headers.Location = new Uri(answer.Location, UriKind.RelativeOrAbsolute);
        return response;
    }
}
