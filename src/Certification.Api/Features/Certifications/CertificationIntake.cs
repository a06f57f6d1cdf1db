using System.Security.Claims;
using Certification.Api.Domain;
using Certification.Api.Features.Auth;
using Certification.Api.Infrastructure;
using Certification.Api.Options;
using Certification.Api.Problems;
using Certification.Signing.Documents;
using Certification.Signing.Documents.Reading;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Certification.Api.Features.Certifications;

public sealed record CertifyCommand(IReadOnlyList<ScanFile> Files, string DocumentTitle, string RequesterName, string RequesterIdNumber, Guid? RequestId);

/// <summary>The certifier on whose authority a copy is issued, and the (Vietnam) date of issue.</summary>
public sealed record Certifier(Officer Officer, Office Office, Authorisation? Authorisation, DateOnly Date);

/// <summary>The request a document belongs to; <paramref name="New"/> when the upload itself opens it.</summary>
public sealed record ResolvedRequest(CertificationRequest Request, bool New);

/// <summary>An upload checked and accepted for certification: who certifies, with which keys, for which request.
/// Nothing in it depends on the book's next number.</summary>
public sealed record AcceptedUpload(Certifier Certifier, SigningIdentity Personal, SigningIdentity Seal, ResolvedRequest Request, CertifyCommand Command,
    IReadOnlyList<PageQuality?> Quality);

/// <summary>
/// Intake of an upload, before the book is touched: the officer's right to certify (Decree 23/2015, Decree
/// 280/2025 for communes), the signing identities, the request, and the scans' inspection (formats, limits).
/// Everything here runs outside the book's critical section.
/// </summary>
public sealed class CertificationIntake(
    CertificationDbContext db,
    CertifiedCopyIssuer issuer,
    ScanReader reader,
    IOptions<CertificationOptions> options,
    TimeProvider clock)
{
    private static readonly TimeSpan Vietnam = TimeSpan.FromHours(7);

    /// <summary>Checks and accepts an upload. <paramref name="localKeyOnly"/>: the one-step flow signs with a
    /// key the service holds, so an officer whose key is external must use the two-step flow.</summary>
    public async Task<AcceptedUpload> AcceptAsync(ClaimsPrincipal user, CertifyCommand command, bool localKeyOnly, CancellationToken ct)
    {
        var certifier = await RequireCertifierAsync(user, ct);
        var personal = await PersonalIdentityAsync(certifier.Officer, ct);
        if (localKeyOnly && personal.Kind == SigningKeyKind.External) throw new ProblemException(ProblemTypes.ExternalSignerRequired);
        if (localKeyOnly && options.Value.RemoteSigning.Officers.ContainsKey(certifier.Officer.UserName))
            throw new ProblemException(ProblemTypes.RemoteSignerRequired);
        var seal = await SealAsync(certifier.Office, ct);
        var request = await ResolveRequestAsync(command, certifier.Office, certifier.Officer, ct);
        var (_, quality) = InspectScans(command.Files);
        return new AcceptedUpload(certifier, personal, seal, request, command, quality);
    }

    /// <summary>The scans' pages as intake accepts them, each measured by the quality gate. A page past a refusal
    /// threshold is refused like any other bad scan (<see cref="ScanRejectedException"/>), naming its file.</summary>
    public (IReadOnlyList<ScanPage> Pages, IReadOnlyList<PageQuality?> Quality) InspectScans(IReadOnlyList<ScanFile> files)
    {
        var pages = issuer.Composer.Intake.Inspect(files);
        var quality = reader.Examine(pages);
        for (var i = 0; i < pages.Count; i++)
            if (quality[i]?.Refusal is { } refusal)
                throw new ScanRejectedException(refusal.Reason, pages[i].FileName, refusal.Vietnamese, refusal.English);
        return (pages, quality);
    }

    public async Task<Officer> RequireOfficerAsync(ClaimsPrincipal user, CancellationToken ct)
    {
        var id = OfficerClaims.Id(user) ?? throw new ProblemException(ProblemTypes.Unauthenticated);
        return await db.Officers.Include(o => o.Office).AsNoTracking().SingleOrDefaultAsync(o => o.Id == id && o.Active, ct)
               ?? throw new ProblemException(ProblemTypes.Unauthenticated);
    }

    private async Task<Certifier> RequireCertifierAsync(ClaimsPrincipal user, CancellationToken ct)
    {
        var officer = await RequireOfficerAsync(user, ct);
        if (!officer.Has(OfficerRoles.Certifier) || officer.Office is null)
            throw new ProblemException(ProblemTypes.Forbidden, "Only a certifier of an office certifies.");
        var office = officer.Office;
        var date = Today();
        if (office.IsReadOnlyOn(date)) throw new ProblemException(ProblemTypes.OfficeReadOnly);
        Authorisation? authorisation = null;
        if (office.Kind == OfficeKind.Commune)
        {
            // Decree 280/2025: the Chairman, or an officer he authorised, with a validity period.
            authorisation = (await db.Authorisations.AsNoTracking().Where(a => a.OfficerId == officer.Id && a.OfficeId == office.Id).ToListAsync(ct))
                .FirstOrDefault(a => a.IsValidOn(date));
            if (authorisation is null) throw new ProblemException(ProblemTypes.NotAuthorisedToCertify);
        }
        return new Certifier(officer, office, authorisation, date);
    }

    public async Task<SigningIdentity> PersonalIdentityAsync(Officer officer, CancellationToken ct) =>
        await db.SigningIdentities.AsNoTracking().Where(s => s.OfficerId == officer.Id && s.OfficeId == officer.OfficeId && s.Active)
            .OrderByDescending(s => s.Id).FirstOrDefaultAsync(ct)
        ?? throw new ProblemException(ProblemTypes.NoSigningKey, "The officer has no signing key of their own.");

    /// <summary>The office seal: a key the service holds, or (bound in <see cref="RemoteSigningOptions.Seals"/>) the
    /// registered certificate of a seal held by the remote signing provider.</summary>
    public async Task<SigningIdentity> SealAsync(Office office, CancellationToken ct)
    {
        var remote = options.Value.RemoteSigning.Seals.ContainsKey(office.Code);
        return await db.SigningIdentities.AsNoTracking().Where(s => s.OfficeId == office.Id && s.OfficerId == null && s.Active && (remote || s.Kind != SigningKeyKind.External))
                   .OrderByDescending(s => s.Id).FirstOrDefaultAsync(ct)
               ?? throw new ProblemException(ProblemTypes.NoSigningKey, "The office has no seal key.");
    }

    private async Task<ResolvedRequest> ResolveRequestAsync(CertifyCommand command, Office office, Officer officer, CancellationToken ct)
    {
        if (command.Files.Count == 0) throw new ProblemException(ProblemTypes.NoFiles, "Upload the scans as 'files'.");
        if (command.Files.Count > options.Value.Limits.MaxFiles) throw new ProblemException(ProblemTypes.TooManyFiles);
        if (string.IsNullOrWhiteSpace(command.DocumentTitle) || command.DocumentTitle.Length > 300)
            throw new ProblemException(ProblemTypes.InvalidRequest, "documentTitle is required (at most 300 characters).");
        if (command.RequestId is { } id)
        {
            var existing = await db.Requests.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, ct) ?? throw new ProblemException(ProblemTypes.NotFound, "No such request.");
            if (existing.OfficeId != office.Id) throw new ProblemException(ProblemTypes.OtherOffice);
            return new ResolvedRequest(existing, false);
        }
        if (string.IsNullOrWhiteSpace(command.RequesterName) || string.IsNullOrWhiteSpace(command.RequesterIdNumber) ||
            command.RequesterName.Length > 200 || command.RequesterIdNumber.Length > 32)
            throw new ProblemException(ProblemTypes.InvalidRequest, "requesterName and requesterIdNumber are required.");
        return new ResolvedRequest(new CertificationRequest
        {
            Id = Guid.CreateVersion7(),
            OfficeId = office.Id,
            RequesterName = command.RequesterName.Trim().Normalize(System.Text.NormalizationForm.FormC),
            RequesterIdNumber = command.RequesterIdNumber.Trim(),
            ReceivedAt = clock.GetUtcNow(),
            ReceivedById = officer.Id,
        }, true);
    }

    /// <summary>Today in Vietnam (UTC+7).</summary>
    public DateOnly Today() => DateOnly.FromDateTime(clock.GetUtcNow().ToOffset(Vietnam).DateTime);
}
