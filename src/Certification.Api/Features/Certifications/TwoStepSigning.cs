using System.Security.Claims;
using Certification.Api.Domain;
using Certification.Api.Features.Audit;
using Certification.Api.Features.Auth;
using Certification.Api.Features.Events;
using Certification.Api.Infrastructure;
using Certification.Api.Options;
using Certification.Api.Problems;
using Certification.Signing.Documents;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Certification.Api.Features.Certifications;

/// <summary>
/// Two-step signing for keys the service does not hold (USB tokens, remote signers): prepare composes the copy with
/// the book's next number as a tentative one and returns what the external key must sign; completion embeds the
/// signature, seals, stores and takes the number if nobody did meanwhile, so an abandoned signature leaves no gap.
/// </summary>
public sealed class TwoStepSigning(
    CertificationDbContext db,
    AuditTrail audit,
    Outbox outbox,
    CertificationIntake intake,
    CopyIssuance issuance,
    BookLedger ledger,
    Scans.ScanRecords scans,
    IBlobStore blobs,
    KeyProtector protector,
    RemoteCredentials remote,
    IOptions<CertificationOptions> options,
    TimeProvider clock)
{
    /// <summary>Step one: composes the copy with the book's next number and returns what the external key must
    /// sign. The number is not taken yet (the copy awaits its signature outside the book).</summary>
    public async Task<PreparedSigningResponse> PrepareAsync(ClaimsPrincipal user, CertifyCommand command, CancellationToken ct)
    {
        var upload = await intake.AcceptAsync(user, command, localKeyOnly: false, ct);
        var (officer, office, _, date) = upload.Certifier;
        var personal = upload.Personal;
        var chain = SigningKeys.Chain(personal);
        var algorithm = personal.Kind == SigningKeyKind.External
            ? (chain[0].GetPublicKey() is Org.BouncyCastle.Crypto.Parameters.ECPublicKeyParameters
                ? new Signing.Cms.SignatureAlgorithm(Signing.Cms.SignatureScheme.Ecdsa, System.Security.Cryptography.HashAlgorithmName.SHA256)
                : Signing.Cms.SignatureAlgorithm.RsaSha256)
            : issuance.OpenKey(personal).Algorithm;
        var accessCode = AccessCodes.New();
        var level = issuance.Level;
        CertificationBook book;
        using (await ledger.HoldAsync(office.Id, date.Year, ct)) book = await ledger.OpenBookAsync(office.Id, date, ct);
        var number = book.LastNumber + 1;
        var details = issuance.Details(upload.Certifier, command.DocumentTitle, book.Label, number, accessCode);
        var prepared = await issuance.Issuer.PrepareAsync(command.Files, details, chain, algorithm, level, ct);
        var preparedSha = await blobs.PutAsync(prepared.ComposedPdf, ct);

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var document = ledger.AddDocument(upload.Request, command.DocumentTitle, prepared.PageCount, DocumentStatus.AwaitingSignature);
        var copy = ledger.NewCopy(document, office, book, number, officer, date, prepared.PageCount, prepared.Fee, level, accessCode, CertificationStatus.AwaitingSignature);
        var session = new ExternalSigningSession
        {
            Id = Guid.NewGuid(),
            CertifiedCopyId = copy.Id,
            OfficerId = officer.Id,
            // The composed PDF is in the blob store; the session keeps the rest of the prepared copy.
            PendingSignature = (prepared with { ComposedPdf = [] }).ToJson(),
            PreparedSha256 = preparedSha,
            ProtectedAccessCode = protector.Protect(System.Text.Encoding.ASCII.GetBytes(accessCode), "access-code"),
            CreatedAt = clock.GetUtcNow(),
            ExpiresAt = clock.GetUtcNow() + options.Value.Signing.ExternalSigningTimeout,
        };
        db.CertifiedCopies.Add(copy);
        db.ExternalSigningSessions.Add(session);
        await scans.AttachAsync(upload, document, copy, ct);
        await audit.AppendAsync("certification.prepared", $"certification:{copy.Id}",
            new { office = office.Code, book = book.Label, tentativeNumber = number, session = session.Id, expiresAt = session.ExpiresAt }, ct: ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new PreparedSigningResponse(session.Id, copy.Id, number, book.Label, Convert.ToBase64String(prepared.DataToSign),
            prepared.Pending.HashAlgorithm, prepared.Pending.Scheme.ToString(), session.ExpiresAt);
    }

    /// <summary>Step two: embeds the external signature, adds the office seal, stores and commits.</summary>
    public async Task<CertificationResponse> CompleteAsync(ClaimsPrincipal user, Guid handle, CompleteSigningRequest body, CancellationToken ct)
    {
        var officerId = OfficerClaims.Id(user) ?? throw new ProblemException(ProblemTypes.Unauthenticated);
        var session = await db.ExternalSigningSessions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == handle, ct);
        if (session is null) throw new ProblemException(ProblemTypes.NotFound, "No signing session with this handle.");
        if (session.OfficerId != officerId) throw new ProblemException(ProblemTypes.Forbidden, "Only the officer who prepared a signature can complete it.");
        if (session.ExpiresAt <= clock.GetUtcNow()) throw new ProblemException(ProblemTypes.SigningSessionExpired);
        var copy = await db.CertifiedCopies.Include(c => c.Book).Include(c => c.Office).Include(c => c.Document).ThenInclude(d => d!.Request)
            .SingleAsync(c => c.Id == session.CertifiedCopyId, ct);
        var seal = await intake.SealAsync(copy.Office!, ct);
        if (copy.Book!.LastNumber != copy.Number - 1) throw await NumberTakenAsync(session, copy, ct);

        byte[] signature;
        List<Org.BouncyCastle.X509.X509Certificate> chain;
        try
        {
            signature = Convert.FromBase64String(body.SignatureValue);
            chain = body.CertificateChain.Select(c => new Org.BouncyCastle.X509.X509CertificateParser().ReadCertificate(Convert.FromBase64String(c))).ToList();
        }
        catch (Exception e) when (e is FormatException or ArgumentException or NullReferenceException)
        {
            throw new ProblemException(ProblemTypes.InvalidRequest, "signatureValue and certificateChain must be base64 (DER certificates).");
        }
        var officer = await db.Officers.AsNoTracking().SingleAsync(o => o.Id == officerId, ct);
        var personal = await intake.PersonalIdentityAsync(officer, ct);
        var registered = SigningKeys.Chain(personal);
        if (chain.Count == 0 || !chain[0].Equals(registered[0]))
            throw new ProblemException(ProblemTypes.SignatureRejected, "The signer certificate is not the officer's registered certificate.");

        await using var preparedStream = blobs.OpenRead(session.PreparedSha256) ?? throw new ProblemException(ProblemTypes.SigningSessionExpired);
        using var buffer = new MemoryStream();
        await preparedStream.CopyToAsync(buffer, ct);
        var prepared = PreparedCopy.FromJson(session.PendingSignature) with { ComposedPdf = buffer.ToArray() };
        IssuedCopy issued;
        try
        {
            var sealKey = await remote.SealAsync(copy.Office!, seal, ct) ?? issuance.OpenKey(seal);
            issued = await issuance.Issuer.CompleteAsync(prepared, signature, chain, sealKey, ct);
        }
        catch (InvalidOperationException e)
        {
            throw new ProblemException(ProblemTypes.SignatureRejected, e.Message);
        }
        var protectedUntil = issuance.ProtectedUntil(issued.Pdf);
        var sha = await blobs.PutAsync(issued.Pdf, ct);

        using var held = await ledger.HoldAsync(copy.OfficeId, copy.Book.Year, ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (db.Database.IsNpgsql()) await ledger.LockBookRowAsync(copy.BookId, ct);
        if (!await ledger.AdvanceAsync(copy.BookId, copy.Number, ct))
        {
            await tx.RollbackAsync(ct);
            throw await NumberTakenAsync(session, copy, ct);
        }
        var rows = await db.CertifiedCopies.Where(c => c.Id == copy.Id && c.Status == CertificationStatus.AwaitingSignature)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, CertificationStatus.Valid).SetProperty(c => c.Sha256, sha)
                .SetProperty(c => c.Size, issued.Pdf.LongLength).SetProperty(c => c.IssuedAt, clock.GetUtcNow())
                .SetProperty(c => c.ProtectedUntil, protectedUntil), ct);
        if (rows != 1) throw new ProblemException(ProblemTypes.SigningSessionExpired);
        await db.Documents.Where(d => d.Id == copy.DocumentId).ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, DocumentStatus.Certified), ct);
        await db.ExternalSigningSessions.Where(s => s.Id == session.Id).ExecuteDeleteAsync(ct);
        await audit.AppendAsync("certification.issued", $"certification:{copy.Id}",
            new { office = copy.Office!.Code, book = copy.Book!.Label, number = copy.Number, sha256 = sha, pages = copy.PageCount, fee = copy.Fee, twoStep = true }, ct: ct);
        await outbox.SaveWithCopyEventAsync(EventTypes.CopyCertified, copy.Id, ct);
        await tx.CommitAsync(ct);
        blobs.Delete(session.PreparedSha256);
        var accessCode = System.Text.Encoding.ASCII.GetString(protector.Unprotect(session.ProtectedAccessCode, "access-code"));
        copy.Sha256 = sha;
        return issuance.Response(copy, copy.Book!, copy.Office!, copy.Document!.Request!, accessCode);
    }

    /// <summary>Ends signing sessions whose external signature never came: the waiting copy goes, its document
    /// is back to received, and no number was ever taken.</summary>
    public async Task<int> ExpireSessionsAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var expired = await db.ExternalSigningSessions.AsNoTracking().Where(s => s.ExpiresAt <= now).ToListAsync(ct);
        foreach (var session in expired)
        {
            var copy = await db.CertifiedCopies.AsNoTracking().SingleAsync(c => c.Id == session.CertifiedCopyId, ct);
            await EndSessionAsync(session, copy, "certification.signing-expired", "external signature not received in time", ct);
        }
        return expired.Count;
    }

    /// <summary>Ends a session whose signature will not come (the remote signer denied, timed out or refused): the
    /// waiting copy goes and no number was taken. <paramref name="reason"/> is recorded in the audit trail.</summary>
    public async Task AbandonAsync(Guid handle, string reason, CancellationToken ct)
    {
        var session = await db.ExternalSigningSessions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == handle, ct);
        if (session is null) return;
        var copy = await db.CertifiedCopies.AsNoTracking().SingleAsync(c => c.Id == session.CertifiedCopyId, ct);
        await EndSessionAsync(session, copy, "certification.remote-signing-ended", reason, ct);
    }

    /// <summary>The book gave the session's tentative number to another copy: the session ends (the officer
    /// prepares again, with the next number) and the problem to answer with.</summary>
    private async Task<ProblemException> NumberTakenAsync(ExternalSigningSession session, CertifiedCopy copy, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        await EndSessionAsync(session, copy, "certification.signing-superseded", "the book gave the number to another copy meanwhile", ct);
        return new ProblemException(ProblemTypes.NumberTakenMeanwhile);
    }

    private async Task EndSessionAsync(ExternalSigningSession session, CertifiedCopy copy, string action, string reason, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var ended = await db.ExternalSigningSessions.Where(s => s.Id == session.Id).ExecuteDeleteAsync(ct);
        if (ended == 1)
        {
            // The copy never existed for the book, so neither do its page fingerprints (no duplicate warnings for it).
            await db.CopyPageFingerprints.Where(f => f.CertifiedCopyId == copy.Id &&
                db.CertifiedCopies.Any(c => c.Id == copy.Id && c.Status == CertificationStatus.AwaitingSignature)).ExecuteDeleteAsync(ct);
            await db.CertifiedCopies.Where(c => c.Id == copy.Id && c.Status == CertificationStatus.AwaitingSignature).ExecuteDeleteAsync(ct);
            await db.Documents.Where(d => d.Id == copy.DocumentId).ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, DocumentStatus.Received), ct);
            await audit.AppendAsync(action, $"certification:{copy.Id}", new { tentativeNumber = copy.Number, reason }, actor: "system", ct: ct);
            await db.SaveChangesAsync(ct);
        }
        await tx.CommitAsync(ct);
        if (ended == 1) blobs.Delete(session.PreparedSha256);
    }
}
