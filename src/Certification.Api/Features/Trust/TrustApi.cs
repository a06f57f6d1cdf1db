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
        var admin = app.MapGroup("/api/v1/admin/trust").WithTags("Administration").RequireAuthorization(Auth.Policies.SystemAdmin);
        admin.MapGet("/", (TrustServices trust, TimeProvider clock) => TypedResults.Ok(TrustStoreResponse.Of(trust.TrustStore, trust.Store is not null, clock.GetUtcNow())))
            .WithSummary("The trust store in use: version, sources (accepted or rejected), anchors per purpose with their status history");
        admin.MapPost("/reload", Reload)
            .WithSummary("Reloads the trust store directory without a restart; a rejected source keeps its previously accepted anchors");
        if (!demo) return app;

        var pki = app.MapGroup("").WithTags("Development PKI").AllowAnonymous().ExcludeFromDescription();
        foreach (var route in new[] { "/tsa", "/tsa2", "/ocsp" }) pki.MapPost(route, ServeAsync);
        foreach (var route in new[] { "/ocsp/{*encoded}", "/crl/{file}", "/certs/{file}" }) pki.MapGet(route, ServeAsync);
        // The development remote signing provider (CSC API v2) and the officer's approval page ("the phone").
        pki.MapMethods("/csc/{**path}", ["GET", "POST"], async (string? path, HttpRequest request, Features.Certifications.DevelopmentRemoteSigning csc, CancellationToken ct) =>
        {
            var answer = csc.Provider.Handle(new Signing.Remote.CscHttpRequest(request.Method, path ?? "", request.QueryString.Value ?? "",
                request.Headers.Authorization.ToString() is { Length: > 0 } a ? a : null, request.ContentType, request.Headers.Accept.ToString(), await ReadAsync(request, ct)));
            if (answer.Location is not null) request.HttpContext.Response.Headers.Location = answer.Location;
            return Results.Text(System.Text.Encoding.UTF8.GetString(answer.Body), answer.ContentType, statusCode: answer.Status);
        });
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

    private static Results<Ok<TrustStoreResponse>, ProblemHttpResult> Reload(TrustServices trust, TimeProvider clock, ILogger<TrustServices> log)
    {
        if (trust.Store is not { } store)
            return Problems.Problem.Of(Problems.ProblemTypes.TrustStoreNotConfigured, "Set Certification:Trust:StoreDirectory to a directory written by 'certification trust import'.");
        var reloaded = store.Reload();
        foreach (var rejected in reloaded.Sources.Where(r => !r.Accepted))
            log.LogWarning("Trust source {Source} rejected on reload: {Message}", rejected.Name, rejected.Message);
        log.LogInformation("Trust store reloaded: version {Version}, {Count} entries", reloaded.Version, reloaded.Anchors.Count);
        return TypedResults.Ok(TrustStoreResponse.Of(reloaded, reloadable: true, clock.GetUtcNow()));
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

public sealed record TrustStatusResponse(string Status, DateTimeOffset? From);

public sealed record TrustAnchorResponse(string Name, string Subject, string Sha256, string Purpose, string Source, string? StatusNow,
    IReadOnlyList<TrustStatusResponse> History);

public sealed record TrustStoreResponse(string Version, DateTimeOffset LoadedAt, bool Reloadable, IReadOnlyList<Signing.Trust.TrustSourceStatus> Sources,
    IReadOnlyList<TrustAnchorResponse> Anchors)
{
    public static TrustStoreResponse Of(Signing.Trust.TrustStore store, bool reloadable, DateTimeOffset now) => new(store.Version, store.LoadedAt, reloadable, store.Sources,
        store.Anchors.Select(a => new TrustAnchorResponse(a.Name, a.Certificate.SubjectDN.ToString(), a.Fingerprint, a.Purpose.ToString(), a.Source,
            a.StatusAt(now)?.ToString(),
            a.History.Select(h => new TrustStatusResponse(h.Status.ToString(), h.From == DateTimeOffset.MinValue ? null : h.From)).ToList())).ToList());
}
