using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Certification.Api.Problems;

/// <summary>A kind of error with its stable RFC 9457 <c>type</c> URI. The list is in docs/service.md.</summary>
public sealed record ProblemType(string Slug, int Status, string Title)
{
    public const string Base = "https://certification.example/problems/";

    public string Uri => Base + Slug;
}

/// <summary>Every error kind the service reports. Types never change meaning; new kinds get new slugs.</summary>
public static class ProblemTypes
{
    public static readonly ProblemType InvalidRequest = new("invalid-request", 400, "The request is not valid");
    public static readonly ProblemType NoFiles = new("no-files", 400, "No file was uploaded");
    public static readonly ProblemType TooManyFiles = new("too-many-files", 400, "Too many files in one request");
    public static readonly ProblemType Unauthenticated = new("unauthenticated", 401, "Sign in or present an API key");
    public static readonly ProblemType SignInFailed = new("sign-in-failed", 401, "Wrong user name or password");
    public static readonly ProblemType Forbidden = new("forbidden", 403, "Not allowed");
    public static readonly ProblemType OtherOffice = new("other-office", 403, "This belongs to another office");
    public static readonly ProblemType NotAuthorisedToCertify = new("not-authorised-to-certify", 403, "The officer holds no valid authorisation to certify for this office");
    public static readonly ProblemType NotFound = new("not-found", 404, "Not found");
    public static readonly ProblemType CopyNotFound = new("copy-not-found", 404, "No copy has this access code");
    public static readonly ProblemType MethodNotAllowed = new("method-not-allowed", 405, "Method not allowed");
    public static readonly ProblemType TrustStoreNotConfigured = new("trust-store-not-configured", 409, "No trust store directory is configured to reload");
    public static readonly ProblemType OfficeReadOnly = new("office-read-only", 409, "The office can no longer certify (read-only)");
    public static readonly ProblemType NoSigningKey = new("no-signing-key", 409, "No usable signing key is registered");
    public static readonly ProblemType ExternalSignerRequired = new("external-signer-required", 409, "This officer's key is external: use the two-step signing flow");
    public static readonly ProblemType AlreadyRevoked = new("already-revoked", 409, "The copy is already revoked");
    public static readonly ProblemType NotRevocable = new("not-revocable", 409, "Only an issued copy can be revoked");
    public static readonly ProblemType NumberConflict = new("number-conflict", 409, "The certification book moved on; retry");
    public static readonly ProblemType DocumentAlreadyDecided = new("document-already-decided", 409, "The document was already certified or refused");
    public static readonly ProblemType CopyRevoked = new("copy-revoked", 410, "The copy was revoked by the office that issued it");
    public static readonly ProblemType ShareNotFound = new("share-not-found", 404, "No share has this link and token");
    public static readonly ProblemType ShareForAnotherService = new("share-for-another-service", 403, "The copy was shared with another online service");
    public static readonly ProblemType ShareExpired = new("share-expired", 410, "The share has expired");
    public static readonly ProblemType ShareRevoked = new("share-revoked", 410, "The citizen revoked the share");
    public static readonly ProblemType SigningSessionExpired = new("signing-session-expired", 410, "The signing session expired; prepare the signature again");
    public static readonly ProblemType NumberTakenMeanwhile = new("number-taken-meanwhile", 409,
        "The book gave this number to another copy while the signature was pending; prepare and sign again");
    public static readonly ProblemType RequestTooLarge = new("request-too-large", 413, "The request body is too large");
    public static readonly ProblemType UnsupportedMediaType = new("unsupported-media-type", 415, "Expected multipart/form-data or JSON");
    public static readonly ProblemType NotAPdf = new("not-a-pdf", 422, "The file is not a PDF");
    public static readonly ProblemType SignatureRejected = new("signature-rejected", 422, "The external signature does not fit the prepared document");
    public static readonly ProblemType RateLimited = new("rate-limited", 429, "Too many requests; retry later");
    public static readonly ProblemType SignInThrottled = new("sign-in-throttled", 429, "Too many wrong passwords; the account is locked for a while");
    public static readonly ProblemType InternalError = new("internal-error", 500, "Internal error");
    public static readonly ProblemType SigningUnavailable = new("signing-unavailable", 503, "A signing service (timestamp, revocation, key) is unavailable");
    public static readonly ProblemType TimestampServiceUnavailable = new("trust-service-unavailable/timestamp", 503,
        "The timestamp authority is unavailable for now; nothing was issued, retry after the time given");
    public static readonly ProblemType RevocationServiceUnavailable = new("trust-service-unavailable/revocation", 503,
        "The certificate status service (OCSP/CRL) is unavailable for now; nothing was issued, retry after the time given");
    public static readonly ProblemType SigningKeyUnavailable = new("signing-key-unavailable", 503,
        "This node cannot open the office's signing key (its key encryption setting differs); no number was taken");
    public static readonly ProblemType TokenSigningKeyUnavailable = new("token-signing-key-unavailable", 503,
        "This node's sign-in token key differs from the office's; sign in on another node");
    public static readonly ProblemType StorageFull = new("storage-full", 507, "The storage for certified copies is full; nothing was issued");
    public static readonly ProblemType StorageReadOnly = new("storage-read-only", 503, "The storage for certified copies is read-only; nothing was issued");

    public static readonly ProblemType RemoteSigningNotConfigured = new("remote-signing-not-configured", 409, "This officer is not bound to a remote signing credential");
    public static readonly ProblemType RemoteSignerRequired = new("remote-signer-required", 409, "This officer signs with a remote signing account: use the remote signing flow");
    public static readonly ProblemType RemoteSigningDenied = new("remote-signing-denied", 409, "The signer denied the request in the provider's app");
    public static readonly ProblemType RemoteSigningTimedOut = new("remote-signing-timed-out", 504, "The signer did not approve in time");
    public static readonly ProblemType RemoteSigningCancelled = new("remote-signing-cancelled", 409, "The remote signing request was cancelled");
    public static readonly ProblemType RemoteSigningAuthorisationExpired = new("remote-signing-authorisation-expired", 410, "The provider let the authorisation or the pending request expire");
    public static readonly ProblemType RemoteSigningTokenExpired = new("remote-signing-token-expired", 502, "The provider no longer accepts the access token");
    public static readonly ProblemType RemoteSigningHashNotAuthorised = new("remote-signing-hash-not-authorised", 502, "The provider refused a hash the authorisation does not cover");
    public static readonly ProblemType RemoteSigningWrongCredential = new("remote-signing-wrong-credential", 502, "The provider does not know the credential or it is not ours");
    public static readonly ProblemType RemoteSigningClientRejected = new("remote-signing-client-rejected", 502, "The provider refused the service's client id or secret");
    public static readonly ProblemType RemoteSigningRefused = new("remote-signing-refused", 502, "The remote signing provider refused the request");
    public static readonly ProblemType RemoteSigningUnavailable = new("remote-signing-unavailable", 503, "The remote signing provider cannot be reached");

    /// <summary>Scans refused at intake: one type per reason, <c>scan-rejected/{code}</c>.</summary>
    public static ProblemType ScanRejected(string code) => new($"scan-rejected/{code}", 422, "The scan cannot be certified");

    public static IReadOnlyList<ProblemType> All =>
    [
        InvalidRequest, NoFiles, TooManyFiles, Unauthenticated, SignInFailed, Forbidden, OtherOffice, NotAuthorisedToCertify,
        NotFound, CopyNotFound, MethodNotAllowed, OfficeReadOnly, NoSigningKey, ExternalSignerRequired, AlreadyRevoked,
        NotRevocable, CopyRevoked, ShareNotFound, ShareForAnotherService, ShareExpired, ShareRevoked, NumberConflict, DocumentAlreadyDecided, SigningSessionExpired, NumberTakenMeanwhile, RequestTooLarge, UnsupportedMediaType,
        NotAPdf, SignatureRejected, RateLimited, SignInThrottled, InternalError, SigningUnavailable,
        TimestampServiceUnavailable, RevocationServiceUnavailable, SigningKeyUnavailable, TokenSigningKeyUnavailable, StorageFull, StorageReadOnly,
        RemoteSigningNotConfigured, RemoteSignerRequired, RemoteSigningDenied, RemoteSigningTimedOut, RemoteSigningCancelled,
        RemoteSigningAuthorisationExpired, RemoteSigningTokenExpired, RemoteSigningHashNotAuthorised, RemoteSigningWrongCredential,
        RemoteSigningClientRejected, RemoteSigningRefused, RemoteSigningUnavailable,
    ];

    public static ProblemType ForStatus(int status) => status switch
    {
        400 => InvalidRequest,
        401 => Unauthenticated,
        403 => Forbidden,
        404 => NotFound,
        405 => MethodNotAllowed,
        413 => RequestTooLarge,
        415 => UnsupportedMediaType,
        429 => RateLimited,
        503 => SigningUnavailable,
        _ => InternalError,
    };
}

/// <summary>Thrown deep in a workflow; turned into problem+json by <see cref="ProblemExceptionHandler"/>.</summary>
public sealed class ProblemException(ProblemType type, string? detail = null, IDictionary<string, object?>? extensions = null)
    : Exception(detail ?? type.Title)
{
    public ProblemType Type { get; } = type;
    public string? Detail { get; } = detail;
    public IDictionary<string, object?>? Extensions { get; } = extensions;
}

public static class Problem
{
    public static ProblemHttpResult Of(ProblemType type, string? detail = null, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(detail: detail, statusCode: type.Status, title: type.Title, type: type.Uri, extensions: extensions);
}

/// <summary>Maps exceptions to problem details; never exposes an unexpected exception's message.</summary>
public sealed class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> log) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        var (type, detail, extensions) = exception switch
        {
            ProblemException p => (p.Type, p.Detail, p.Extensions),
            Signing.Remote.CscException c when context.RequestServices.GetRequiredService<Features.Certifications.RemoteCredentials>().Problem(c) is var p =>
                (p.Type, p.Detail, p.Extensions),
            Certification.Signing.Documents.ScanRejectedException s => (ProblemTypes.ScanRejected(s.Code), s.Message,
                (IDictionary<string, object?>?)new Dictionary<string, object?> { ["fileName"] = s.FileName, ["code"] = s.Code }),
            BadHttpRequestException { StatusCode: 413 } => (ProblemTypes.RequestTooLarge, "The request body exceeds the limit.", null),
            InvalidDataException => (ProblemTypes.RequestTooLarge, "The multipart body exceeds a limit.", null),
            BadHttpRequestException b => (ProblemTypes.ForStatus(b.StatusCode), "The request could not be read.", null),
            Signing.Timestamps.TimestampException => TrustServiceDown(context, Infrastructure.TrustServiceNames.Timestamp, ProblemTypes.TimestampServiceUnavailable),
            Signing.Revocation.RevocationFetchException => TrustServiceDown(context, Infrastructure.TrustServiceNames.Revocation, ProblemTypes.RevocationServiceUnavailable),
            Infrastructure.SigningKeyUnavailableException k => (ProblemTypes.SigningKeyUnavailable, k.Message, null),
            _ when Infrastructure.StorageFaults.IsFull(exception) => (ProblemTypes.StorageFull, "No space is left where certified copies are stored.", null),
            _ when Infrastructure.StorageFaults.IsReadOnly(exception) => (ProblemTypes.StorageReadOnly, "Certified copies cannot be written (read-only storage).", null),
            _ => (ProblemTypes.InternalError, null, null),
        };
        if (type == ProblemTypes.InternalError) log.LogError(exception, "Unhandled error on {Method} {Route}", context.Request.Method, context.GetEndpoint()?.DisplayName);
        else if (type.Status >= 500) log.LogWarning("{Method} {Path} answered {Type}: {Detail}", context.Request.Method, context.Request.Path, type.Slug, exception.Message);
        if (extensions?.TryGetValue("retryAfterSeconds", out var retryAfter) == true) context.Response.Headers.RetryAfter = retryAfter!.ToString();
        Features.Health.Telemetry.Failures.Add(1, new KeyValuePair<string, object?>("type", type.Slug),
            new KeyValuePair<string, object?>("status", type.Status));
        context.Response.StatusCode = type.Status;
        var problem = new ProblemDetails { Type = type.Uri, Title = type.Title, Status = type.Status, Detail = detail };
        if (extensions is not null) foreach (var (k, v) in extensions) problem.Extensions[k] = v;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }

    /// <summary>A trust service gave no usable answer: temporary (503), naming the service and when to retry.
    /// The detail keeps the library's message (which endpoint, what was wrong); it carries no secrets.</summary>
    private static (ProblemType, string?, IDictionary<string, object?>?) TrustServiceDown(HttpContext context, string service, ProblemType type)
    {
        var health = context.RequestServices.GetRequiredService<Infrastructure.TrustServiceHealth>();
        var seconds = (int)Math.Ceiling(health.RetryAfter(service).TotalSeconds);
        return (type, null, new Dictionary<string, object?> { ["service"] = service, ["retryAfterSeconds"] = seconds, ["state"] = health.StateOf(service).ToString().ToLowerInvariant() });
    }
}
