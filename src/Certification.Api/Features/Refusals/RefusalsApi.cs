using System.Security.Claims;
using System.Text.Json;
using Certification.Api.Domain;
using Certification.Api.Features.Audit;
using Certification.Api.Features.Auth;
using Certification.Api.Features.Certifications;
using Certification.Api.Infrastructure;
using Certification.Api.Problems;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Certification.Api.Features.Refusals;

/// <summary>A refusal: <c>reason</c> is the kebab-case code of <see cref="RefusalReason"/> (Decree 23/2015
/// Art. 22 grounds 1–6, plus outside-competence and invalid-request); <c>text</c> explains it to the citizen.</summary>
public sealed record RefusalRequest(string Reason, string Text, string DocumentTitle, Guid? RequestId, string? RequesterName, string? RequesterIdNumber);

public sealed record RefusalResponse(Guid Id, Guid RequestId, Guid DocumentId, string Reason, int? Article22Ground, string Text, DateTimeOffset RefusedAt);

public sealed record RefusalReasonResponse(string Code, int? Article22Ground, string Description);

public static class RefusalsApi
{
    public static IEndpointRouteBuilder MapRefusalsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/refusals").WithTags("Refusals");
        api.MapPost("/", Refuse).RequireAuthorization(Policies.Certifier);
        api.MapGet("/reasons", Reasons).AllowAnonymous();
        return app;
    }

    public static string Code(RefusalReason r) => JsonNamingPolicy.KebabCaseLower.ConvertName(r.ToString());

    private static Ok<IReadOnlyList<RefusalReasonResponse>> Reasons() => TypedResults.Ok<IReadOnlyList<RefusalReasonResponse>>(
    [
        new(Code(RefusalReason.Altered), 1, "Bản chính bị tẩy xoá, sửa chữa, thêm, bớt nội dung không hợp lệ / erased, altered, added to or cut"),
        new(Code(RefusalReason.Illegible), 2, "Bản chính bị hư hỏng, cũ nát, không xác định được nội dung / damaged or worn, unreadable"),
        new(Code(RefusalReason.ConfidentialOrCopyProhibited), 3, "Bản chính đóng dấu mật hoặc ghi không được sao chụp / confidential or copying prohibited"),
        new(Code(RefusalReason.UnlawfulContent), 4, "Nội dung trái pháp luật, đạo đức xã hội / unlawful content"),
        new(Code(RefusalReason.ForeignNotLegalised), 5, "Giấy tờ nước ngoài chưa hợp pháp hoá lãnh sự / foreign document not legalised"),
        new(Code(RefusalReason.UnconfirmedPrivateDocument), 6, "Giấy tờ cá nhân tự lập không có xác nhận / private document without confirmation"),
        new(Code(RefusalReason.OutsideCompetence), null, "Không thuộc thẩm quyền / outside the certifier's competence"),
        new(Code(RefusalReason.InvalidRequest), null, "Yêu cầu không hợp lệ / invalid request"),
    ]);

    private static async Task<Results<Created<RefusalResponse>, ProblemHttpResult>> Refuse(RefusalRequest body, ClaimsPrincipal user, CertificationIntake intake,
        CertificationDbContext db, AuditTrail audit, TimeProvider clock, CancellationToken ct)
    {
        var officer = await intake.RequireOfficerAsync(user, ct);
        if (officer.OfficeId is not { } officeId) return Problem.Of(ProblemTypes.Forbidden);
        var reason = Enum.GetValues<RefusalReason>().Cast<RefusalReason?>().FirstOrDefault(r => Code(r!.Value) == body.Reason?.Trim().ToLowerInvariant());
        if (reason is null) return Problem.Of(ProblemTypes.InvalidRequest, "reason must be one of GET /api/v1/refusals/reasons.");
        if (string.IsNullOrWhiteSpace(body.Text) || body.Text.Length > 2000 || string.IsNullOrWhiteSpace(body.DocumentTitle))
            return Problem.Of(ProblemTypes.InvalidRequest, "text and documentTitle are required.");

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        CertificationRequest request;
        if (body.RequestId is { } requestId)
        {
            request = await db.Requests.SingleOrDefaultAsync(r => r.Id == requestId, ct) ?? throw new ProblemException(ProblemTypes.NotFound, "No such request.");
            if (request.OfficeId != officeId) return Problem.Of(ProblemTypes.OtherOffice);
        }
        else
        {
            if (string.IsNullOrWhiteSpace(body.RequesterName) || string.IsNullOrWhiteSpace(body.RequesterIdNumber))
                return Problem.Of(ProblemTypes.InvalidRequest, "requesterName and requesterIdNumber are required without requestId.");
            request = new CertificationRequest
            {
                Id = Guid.CreateVersion7(), OfficeId = officeId, RequesterName = body.RequesterName.Trim(), RequesterIdNumber = body.RequesterIdNumber.Trim(),
                ReceivedAt = clock.GetUtcNow(), ReceivedById = officer.Id,
            };
            db.Requests.Add(request);
        }
        var document = new RequestDocument { Id = Guid.CreateVersion7(), RequestId = request.Id, Title = body.DocumentTitle.Trim(), Status = DocumentStatus.Refused };
        db.Documents.Add(document);
        var refusal = new Refusal
        {
            Id = Guid.CreateVersion7(), DocumentId = document.Id, OfficeId = officeId, Reason = reason.Value, Text = body.Text.Trim(),
            RefusedById = officer.Id, RefusedAt = clock.GetUtcNow(),
        };
        db.Refusals.Add(refusal);
        await audit.AppendAsync("document.refused", $"document:{document.Id}", new { reason = Code(reason.Value), request = request.Id }, ct: ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return TypedResults.Created($"/api/v1/refusals/{refusal.Id}", new RefusalResponse(refusal.Id, request.Id, document.Id, Code(reason.Value),
            (int)reason.Value <= 6 ? (int)reason.Value : null, refusal.Text, refusal.RefusedAt));
    }
}
