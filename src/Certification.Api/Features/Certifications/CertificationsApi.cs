using System.Security.Claims;
using Certification.Api.Domain;
using Certification.Api.Features.Auth;
using Certification.Api.Infrastructure;
using Certification.Api.Options;
using Certification.Api.Problems;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Certification.Api.Features.Certifications;

public sealed class CertificationServices
{
    public required CertificationService Workflow { get; init; }
    public required CertificationIntake Intake { get; init; }
    public required TwoStepSigning TwoStep { get; init; }
    public required CertificationDbContext Db { get; init; }
    public required IBlobStore Blobs { get; init; }
    public required IOptions<CertificationOptions> Options { get; init; }
}

public static class CertificationsApi
{
    public static IEndpointRouteBuilder MapCertificationsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/certifications").WithTags("Certifications");
        api.MapPost("/", Certify).RequireAuthorization(Policies.Certifier)
            .Accepts<IFormFile>("multipart/form-data")
            .WithSummary("Certify one document: multipart 'files' (scans in order), 'documentTitle', 'requesterName', 'requesterIdNumber' [, 'requestId']");
        api.MapGet("/{id:guid}", Get).RequireAuthorization(Policies.Officer);
        api.MapGet("/{id:guid}/document", Document).RequireAuthorization(Policies.Officer)
            .Produces(200, contentType: "application/pdf");
        api.MapPost("/{id:guid}/revocation", Revoke).RequireAuthorization(Policies.Certifier);

        var sessions = app.MapGroup("/api/v1/signing-sessions").WithTags("Two-step signing");
        sessions.MapPost("/", Prepare).RequireAuthorization(Policies.Certifier)
            .Accepts<IFormFile>("multipart/form-data")
            .WithSummary("Step 1 for tokens and remote signers: same form as a certification; returns the digest to sign and a handle");
        sessions.MapPost("/{handle:guid}/completion", Complete).RequireAuthorization(Policies.Certifier)
            .WithSummary("Step 2: the signature value and certificate chain (base64 DER) from the external signer");

        var remote = app.MapGroup("/api/v1/remote-signings").WithTags("Remote signing");
        remote.MapPost("/", StartRemote).RequireAuthorization(Policies.Certifier)
            .Accepts<IFormFile>("multipart/form-data")
            .WithSummary("Certify through the officer's remote signing account (CSC API): same form as a certification; answers once the request waits for approval on the phone");
        remote.MapGet("/{handle:guid}", (Guid handle, ClaimsPrincipal user, RemoteSigningFlow flow) => TypedResults.Ok(flow.Status(user, handle)))
            .RequireAuthorization(Policies.Certifier)
            .WithSummary("Waiting for approval, signed (with the certified copy), or the problem it ended with (no number taken)");
        remote.MapDelete("/{handle:guid}", async (Guid handle, ClaimsPrincipal user, RemoteSigningFlow flow) => TypedResults.Ok(await flow.CancelAsync(user, handle)))
            .RequireAuthorization(Policies.Certifier).WithSummary("Cancels a request still waiting for approval");

        var requests = app.MapGroup("/api/v1/requests").WithTags("Requests");
        requests.MapPost("/", NewRequest).RequireAuthorization(Policies.IntakeOrCertifier).WithSummary("Intake: a request that will hold one or more documents");
        requests.MapGet("/{id:guid}", GetRequest).RequireAuthorization(Policies.Officer);
        return app;
    }

    private static async Task<Created<CertificationResponse>> Certify(HttpRequest http, ClaimsPrincipal user, [AsParameters] CertificationServices s, CancellationToken ct)
    {
        var command = await ReadCommandAsync(http, s, ct);
        var result = await s.Workflow.CertifyAsync(user, command, ct);
        return TypedResults.Created($"/api/v1/certifications/{result.Id}", result);
    }

    private static async Task<Accepted<PreparedSigningResponse>> Prepare(HttpRequest http, ClaimsPrincipal user, [AsParameters] CertificationServices s, CancellationToken ct)
    {
        var command = await ReadCommandAsync(http, s, ct);
        var result = await s.TwoStep.PrepareAsync(user, command, ct);
        return TypedResults.Accepted($"/api/v1/signing-sessions/{result.Handle}", result);
    }

    private static async Task<Accepted<RemoteSigningResponse>> StartRemote(HttpRequest http, ClaimsPrincipal user, [AsParameters] CertificationServices s,
        RemoteSigningFlow flow, CancellationToken ct)
    {
        var command = await ReadCommandAsync(http, s, ct);
        var result = await flow.StartAsync(user, command, s.Intake, s.TwoStep, ct);
        return TypedResults.Accepted($"/api/v1/remote-signings/{result.Handle}", result);
    }

    private static async Task<Created<CertificationResponse>> Complete(Guid handle, CompleteSigningRequest body, ClaimsPrincipal user, [AsParameters] CertificationServices s, CancellationToken ct)
    {
        var result = await s.TwoStep.CompleteAsync(user, handle, body, ct);
        return TypedResults.Created($"/api/v1/certifications/{result.Id}", result);
    }

    private static async Task<CertifyCommand> ReadCommandAsync(HttpRequest http, CertificationServices s, CancellationToken ct)
    {
        using var activity = Health.Telemetry.Activities.StartActivity("read upload");
        var limits = s.Options.Value.Limits;
        var form = await Uploads.ReadAsync(http, "files", limits.MaxFiles, limits.MaxRequestBytes, ct);
        Guid? requestId = Guid.TryParse(form.Field("requestId"), out var r) ? r : null;
        return new CertifyCommand(form.Files, form.Field("documentTitle"), form.Field("requesterName"), form.Field("requesterIdNumber"), requestId);
    }

    private static async Task<Results<Ok<CertificationDetailsResponse>, ProblemHttpResult>> Get(Guid id, ClaimsPrincipal user, [AsParameters] CertificationServices s, CancellationToken ct)
    {
        var officer = await s.Intake.RequireOfficerAsync(user, ct);
        var copy = await s.Db.CertifiedCopies.AsNoTracking().Include(c => c.Book).Include(c => c.Office).Include(c => c.Certifier).Include(c => c.Document)
            .SingleOrDefaultAsync(c => c.Id == id, ct);
        if (copy is null) return Problem.Of(ProblemTypes.NotFound);
        if (copy.OfficeId != officer.OfficeId) return Problem.Of(ProblemTypes.OtherOffice);
        var revocation = await s.Db.Revocations.AsNoTracking().SingleOrDefaultAsync(r => r.CertifiedCopyId == id, ct);
        return TypedResults.Ok(Details(copy, revocation));
    }

    public static CertificationDetailsResponse Details(CertifiedCopy c, Revocation? revocation) =>
        new(c.Id, c.Number, c.Book!.Label, c.Date, c.IssuedAt, c.Office!.Name, c.Office.Code, c.Certifier?.FullName ?? "", c.Document?.Title ?? "",
            c.PageCount, c.Fee, c.Sha256, c.Level, StatusName(c.Status), revocation?.Reason);

    public static string StatusName(CertificationStatus status) => status switch
    {
        CertificationStatus.Valid => "valid",
        CertificationStatus.Revoked => "revoked",
        CertificationStatus.AwaitingSignature => "awaiting-signature",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    private static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> Document(Guid id, ClaimsPrincipal user, [AsParameters] CertificationServices s, CancellationToken ct)
    {
        var officer = await s.Intake.RequireOfficerAsync(user, ct);
        var copy = await s.Db.CertifiedCopies.AsNoTracking().Include(c => c.Book).SingleOrDefaultAsync(c => c.Id == id, ct);
        if (copy is null) return Problem.Of(ProblemTypes.NotFound);
        if (copy.OfficeId != officer.OfficeId) return Problem.Of(ProblemTypes.OtherOffice);
        if (copy.Sha256 is null || s.Blobs.OpenRead(copy.Sha256) is not { } stream) return Problem.Of(ProblemTypes.NotFound, "The copy has no signed document yet.");
        return TypedResults.File(stream, "application/pdf", FileName(copy));
    }

    public static string FileName(CertifiedCopy copy) =>
        $"ban-sao-{copy.Book!.Year}-{copy.Number}.pdf";

    private static async Task<Ok<RevocationResponse>> Revoke(Guid id, RevocationRequest body, ClaimsPrincipal user, [AsParameters] CertificationServices s, CancellationToken ct) =>
        TypedResults.Ok(await s.Workflow.RevokeAsync(user, id, body.Reason, ct));

    private static async Task<Results<Created<RequestResponse>, ProblemHttpResult>> NewRequest(NewRequest body, ClaimsPrincipal user, [AsParameters] CertificationServices s,
        Audit.AuditTrail audit, TimeProvider clock, CancellationToken ct)
    {
        var officer = await s.Intake.RequireOfficerAsync(user, ct);
        if (officer.OfficeId is not { } officeId) return Problem.Of(ProblemTypes.Forbidden);
        if (string.IsNullOrWhiteSpace(body.RequesterName) || string.IsNullOrWhiteSpace(body.RequesterIdNumber) || body.RequesterName.Length > 200 || body.RequesterIdNumber.Length > 32)
            return Problem.Of(ProblemTypes.InvalidRequest, "requesterName and requesterIdNumber are required.");
        var request = new CertificationRequest
        {
            Id = Guid.CreateVersion7(), OfficeId = officeId, RequesterName = body.RequesterName.Trim().Normalize(System.Text.NormalizationForm.FormC),
            RequesterIdNumber = body.RequesterIdNumber.Trim(), ReceivedAt = clock.GetUtcNow(), ReceivedById = officer.Id,
        };
        await using var tx = await s.Db.Database.BeginTransactionAsync(ct);
        s.Db.Requests.Add(request);
        await audit.AppendAsync("request.received", $"request:{request.Id}", new { office = officeId }, ct: ct);
        await s.Db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return TypedResults.Created($"/api/v1/requests/{request.Id}", new RequestResponse(request.Id, request.RequesterName, request.ReceivedAt, []));
    }

    private static async Task<Results<Ok<RequestResponse>, ProblemHttpResult>> GetRequest(Guid id, ClaimsPrincipal user, [AsParameters] CertificationServices s, CancellationToken ct)
    {
        var officer = await s.Intake.RequireOfficerAsync(user, ct);
        var request = await s.Db.Requests.AsNoTracking().Include(r => r.Documents).SingleOrDefaultAsync(r => r.Id == id, ct);
        if (request is null) return Problem.Of(ProblemTypes.NotFound);
        if (request.OfficeId != officer.OfficeId) return Problem.Of(ProblemTypes.OtherOffice);
        return TypedResults.Ok(new RequestResponse(request.Id, request.RequesterName, request.ReceivedAt,
            request.Documents.Select(d => new RequestDocumentResponse(d.Id, d.Title, d.Status.ToString())).ToList()));
    }
}
