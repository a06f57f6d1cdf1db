using Certification.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Certification.Api.Features.Trust;

/// <summary>The trust anchors the service validates against, and (demo mode) the development PKI's
/// endpoints, served by this same process at the URLs its certificates name:
/// <c>POST /tsa</c> and <c>POST /tsa2</c> (RFC 3161), <c>POST /ocsp</c> and <c>GET /ocsp/{base64}</c> (RFC 6960),
/// <c>GET /crl/{slug}.crl</c>, <c>GET /certs/{slug}.crt</c>.</summary>
public static class TrustApi
{
    private const int MaxPkiRequestBytes = 64 * 1024;

    public static IEndpointRouteBuilder MapTrustApi(this IEndpointRouteBuilder app, bool demo)
    {
        app.MapGet("/api/v1/trust/anchors", (TrustServices trust) => TypedResults.Text(trust.AnchorsPem, "application/x-pem-file"))
            .WithTags("Trust").AllowAnonymous().WithSummary("PEM bundle of the trust anchors");
        if (!demo) return app;

        var pki = app.MapGroup("").WithTags("Development PKI").AllowAnonymous().ExcludeFromDescription();
        foreach (var route in new[] { "/tsa", "/tsa2", "/ocsp" }) pki.MapPost(route, ServeAsync);
        foreach (var route in new[] { "/ocsp/{*encoded}", "/crl/{file}", "/certs/{file}" }) pki.MapGet(route, ServeAsync);
        return app;
    }

    /// <summary>The development trust services' answer, with the injected faults (a reset aborts the
    /// connection, a cut body aborts it halfway, the 50 MB CRL is padded as it is written).</summary>
    private static async Task ServeAsync(HttpContext context, TrustServices trust, CancellationToken ct)
    {
        var request = context.Request;
        var body = HttpMethods.IsPost(request.Method) ? await ReadAsync(request, ct) : null;
        var reply = await trust.DevelopmentServices!.RespondAsync(request.Method, request.Path.Value!.TrimStart('/'), body, ct);
        if (reply is null)
        {
            await Results.Problem(statusCode: 404, title: "Not found", type: Problems.ProblemTypes.NotFound.Uri).ExecuteAsync(context);
            return;
        }
        if (reply.Transport == Signing.Pki.ReplyTransport.ResetBeforeResponse)
        {
            context.Abort();
            return;
        }
        var response = context.Response;
        response.StatusCode = reply.Status;
        response.ContentType = reply.ContentType;
        response.ContentLength = reply.ContentLength;
        await reply.WriteBodyAsync(response.Body, ct);
        if (reply.Transport == Signing.Pki.ReplyTransport.CutHalfway) context.Abort();
    }

    private static async Task<byte[]> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > MaxPkiRequestBytes) throw new Problems.ProblemException(Problems.ProblemTypes.RequestTooLarge);
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxPkiRequestBytes) throw new Problems.ProblemException(Problems.ProblemTypes.RequestTooLarge);
        }
        return buffer.ToArray();
    }
}
