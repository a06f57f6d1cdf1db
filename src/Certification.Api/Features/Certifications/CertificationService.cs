using System.Collections.Concurrent;
using System.Security.Claims;
using Certification.Signing.Documents;
using Certification.Api.Domain;
using Certification.Api.Features.Audit;
using Certification.Api.Features.Auth;
using Certification.Api.Infrastructure;
using Certification.Api.Options;
using Certification.Api.Problems;
using Certification.Signing.Pades;
using Certification.Signing.Pdf.Writing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using QRCoder;

namespace Certification.Api.Features.Certifications;

public sealed record CertifyCommand(IReadOnlyList<ScanFile> Files, string DocumentTitle, string RequesterName, string RequesterIdNumber, Guid? RequestId);

/// <summary>
/// The certification workflow. The invariant it keeps: a number is committed together with its stored signed
/// copy, or not at all. For one book at a time (an in-process lock per book, plus a row-level compare-and-set
/// that holds across processes) it reads the book's last number N, composes and signs the copy as N+1,
/// stores the PDF durably in the blob store, and only then, in one transaction, advances the book from N to
/// N+1 (<c>UPDATE … WHERE LastNumber = N</c>) and inserts the certification row. A crash before the commit
/// leaves at most an unreferenced blob (swept at the next start) and the number unused; a lost race makes the
/// update touch no row and the copy is composed again with the next number. The unique index on
/// (book, number) is the last line of defence against duplicates.
/// </summary>
public sealed class CertificationService(
    CertificationDbContext db,
    AuditTrail audit,
    CertifiedCopyIssuer issuer,
    IBlobStore blobs,
    SigningKeys keys,
    KeyProtector protector,
    BookLocks locks,
    PublicBaseUrl baseUrl,
    TrustServices trust,
    DataDirectory data,
    IOptions<CertificationOptions> options,
    TimeProvider clock,
    ILogger<CertificationService> log)
{
    private static readonly TimeSpan Vietnam = TimeSpan.FromHours(7);

    public PadesLevel Level => PadesLevels.Parse(options.Value.Signing.Level);

    public async Task<CertificationResponse> CertifyAsync(ClaimsPrincipal user, CertifyCommand command, CancellationToken ct)
    {
        using var activity = Health.Telemetry.Activities.StartActivity("certify");
        var (officer, office, authorisation, date) = await RequireCertifierAsync(user, ct);
        var personal = await PersonalIdentityAsync(officer, ct);
        if (personal.Kind == SigningKeyKind.External) throw new ProblemException(ProblemTypes.ExternalSignerRequired);
        var seal = await SealAsync(office, ct);
        var request = await ResolveRequestAsync(command, office, officer, ct);
        issuer.Composer.Intake.Inspect(command.Files);

        var certifierKey = keys.Open(personal);
        var officeKey = keys.Open(seal);
        var accessCode = AccessCodes.New();
        var level = Level;
        using var held = await locks.AcquireAsync(BookKey(office.Id, date.Year), ct);
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var book = await OpenBookAsync(office.Id, date, ct);
            // Several nodes on one PostgreSQL: hold the book's row lock (SELECT … FOR UPDATE) from reading the
            // number to the commit, so nodes queue on the book instead of racing and composing again.
            await using var locked = db.Database.IsNpgsql() ? await db.Database.BeginTransactionAsync(ct) : null;
            if (locked is not null) book.LastNumber = await LockBookAsync(book.Id, ct);
            var number = book.LastNumber + 1;
            var details = Details(office, officer, authorisation, command.DocumentTitle, book, number, date, accessCode);
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            // Composed and signed in a scratch file, then stored from it: a large scan set costs about its own
            // size in memory, not a copy of the PDF per signed revision (docs/performance.md).
            await using var scratch = data.CreateScratchFile();
            var issued = await issuer.IssueToFileAsync(command.Files, details, certifierKey, officeKey, scratch, level, ct);
            var composed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            Health.Telemetry.SigningLatency.Record(composed.TotalMilliseconds, new KeyValuePair<string, object?>("level", level.Name()));
            DateTimeOffset? protectedUntil;
            using (var signed = IncrementalPdf.OnDisk(scratch)) protectedUntil = ProtectedUntil(signed.Open().Data);
            var sha = await blobs.PutAsync(scratch, ct);
            if (sha != issued.Sha256Hex) throw new InvalidOperationException("The stored copy differs from the one signed");
            var stored = System.Diagnostics.Stopwatch.GetElapsedTime(started);

            await using var opened = locked is null ? await db.Database.BeginTransactionAsync(ct) : null;
            var tx = locked ?? opened!;
            if (!await AdvanceBookAsync(book.Id, number, ct))
            {
                await tx.RollbackAsync(ct);
                log.LogWarning("Book {Book} of office {Office} moved on; composing again", book.Id, office.Code);
                continue;
            }
            var document = AddDocument(request, command.DocumentTitle, issued.PageCount, DocumentStatus.Certified);
            var copy = NewCopy(document, office, book, number, officer, date, issued.PageCount, issued.Fee, level, accessCode, CertificationStatus.Valid);
            copy.Sha256 = sha;
            copy.Size = issued.Length;
            copy.ProtectedUntil = protectedUntil;
            db.CertifiedCopies.Add(copy);
            await audit.AppendAsync("certification.issued", $"certification:{copy.Id}",
                new { office = office.Code, book = book.Label, number, sha256 = sha, pages = issued.PageCount, fee = issued.Fee, request = request.Request.Id }, ct: ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            Health.Telemetry.Certifications.Add(1, new KeyValuePair<string, object?>("level", copy.Level));
            log.LogInformation("Certified {Office} {Book} no. {Number} ({Pages} pages, {Level}): composed and signed in {ComposeMs:0} ms, stored by {StoreMs:0} ms, committed by {CommitMs:0} ms",
                office.Code, book.Label, number, issued.PageCount, copy.Level, composed.TotalMilliseconds, stored.TotalMilliseconds,
                System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return Response(copy, book, office, request.Request, accessCode);
        }
        throw new ProblemException(ProblemTypes.NumberConflict);
    }

    /// <summary>Two-step signing, step one: composes the copy with the book's next number and returns what the
    /// external key must sign. The number is not taken yet (the copy awaits its signature outside the book);
    /// completion takes it if nobody did meanwhile, so an abandoned signature leaves no gap in the book.</summary>
    public async Task<PreparedSigningResponse> PrepareAsync(ClaimsPrincipal user, CertifyCommand command, CancellationToken ct)
    {
        var (officer, office, authorisation, date) = await RequireCertifierAsync(user, ct);
        var personal = await PersonalIdentityAsync(officer, ct);
        await SealAsync(office, ct);
        var request = await ResolveRequestAsync(command, office, officer, ct);
        issuer.Composer.Intake.Inspect(command.Files);
        var chain = SigningKeys.Chain(personal);
        var algorithm = personal.Kind == SigningKeyKind.External
            ? (chain[0].GetPublicKey() is Org.BouncyCastle.Crypto.Parameters.ECPublicKeyParameters
                ? new Signing.Cms.SignatureAlgorithm(Signing.Cms.SignatureScheme.Ecdsa, System.Security.Cryptography.HashAlgorithmName.SHA256)
                : Signing.Cms.SignatureAlgorithm.RsaSha256)
            : keys.Open(personal).Algorithm;
        var accessCode = AccessCodes.New();
        var level = Level;
        CertificationBook book;
        using (await locks.AcquireAsync(BookKey(office.Id, date.Year), ct)) book = await OpenBookAsync(office.Id, date, ct);
        var number = book.LastNumber + 1;
        var details = Details(office, officer, authorisation, command.DocumentTitle, book, number, date, accessCode);
        var prepared = await issuer.PrepareAsync(command.Files, details, chain, algorithm, level, ct);
        var preparedSha = await blobs.PutAsync(prepared.ComposedPdf, ct);

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var document = AddDocument(request, command.DocumentTitle, prepared.PageCount, DocumentStatus.AwaitingSignature);
        var copy = NewCopy(document, office, book, number, officer, date, prepared.PageCount, prepared.Fee, level, accessCode, CertificationStatus.AwaitingSignature);
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
        await audit.AppendAsync("certification.prepared", $"certification:{copy.Id}",
            new { office = office.Code, book = book.Label, tentativeNumber = number, session = session.Id, expiresAt = session.ExpiresAt }, ct: ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new PreparedSigningResponse(session.Id, copy.Id, number, book.Label, Convert.ToBase64String(prepared.DataToSign),
            prepared.Pending.HashAlgorithm, prepared.Pending.Scheme.ToString(), session.ExpiresAt);
    }

    /// <summary>Two-step signing, step two: embeds the external signature, adds the office seal, stores and commits.</summary>
    public async Task<CertificationResponse> CompleteAsync(ClaimsPrincipal user, Guid handle, CompleteSigningRequest body, CancellationToken ct)
    {
        var officerId = OfficerClaims.Id(user) ?? throw new ProblemException(ProblemTypes.Unauthenticated);
        var session = await db.ExternalSigningSessions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == handle, ct);
        if (session is null) throw new ProblemException(ProblemTypes.NotFound, "No signing session with this handle.");
        if (session.OfficerId != officerId) throw new ProblemException(ProblemTypes.Forbidden, "Only the officer who prepared a signature can complete it.");
        if (session.ExpiresAt <= clock.GetUtcNow()) throw new ProblemException(ProblemTypes.SigningSessionExpired);
        var copy = await db.CertifiedCopies.Include(c => c.Book).Include(c => c.Office).Include(c => c.Document).ThenInclude(d => d!.Request)
            .SingleAsync(c => c.Id == session.CertifiedCopyId, ct);
        var seal = await SealAsync(copy.Office!, ct);
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
        var personal = await PersonalIdentityAsync(officer, ct);
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
            issued = await issuer.CompleteAsync(prepared, signature, chain, keys.Open(seal), ct);
        }
        catch (InvalidOperationException e)
        {
            throw new ProblemException(ProblemTypes.SignatureRejected, e.Message);
        }
        var protectedUntil = ProtectedUntil(issued.Pdf);
        var sha = await blobs.PutAsync(issued.Pdf, ct);

        using var held = await locks.AcquireAsync(BookKey(copy.OfficeId, copy.Book.Year), ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (db.Database.IsNpgsql()) await LockBookAsync(copy.BookId, ct);
        if (!await AdvanceBookAsync(copy.BookId, copy.Number, ct))
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
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        blobs.Delete(session.PreparedSha256);
        var accessCode = System.Text.Encoding.ASCII.GetString(protector.Unprotect(session.ProtectedAccessCode, "access-code"));
        copy.Sha256 = sha;
        return Response(copy, copy.Book!, copy.Office!, copy.Document!.Request!, accessCode);
    }

    public async Task<RevocationResponse> RevokeAsync(ClaimsPrincipal user, Guid id, string reason, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(reason) || reason.Length > 2000) throw new ProblemException(ProblemTypes.InvalidRequest, "A reason (at most 2000 characters) is required.");
        var officer = await RequireOfficerAsync(user, ct);
        var copy = await db.CertifiedCopies.Include(c => c.Book).SingleOrDefaultAsync(c => c.Id == id, ct)
                   ?? throw new ProblemException(ProblemTypes.NotFound);
        if (copy.OfficeId != officer.OfficeId) throw new ProblemException(ProblemTypes.OtherOffice);
        if (!officer.Has(OfficerRoles.Certifier)) throw new ProblemException(ProblemTypes.Forbidden, "Only a certifier revokes copies.");
        if (copy.Status == CertificationStatus.Revoked) throw new ProblemException(ProblemTypes.AlreadyRevoked);
        if (copy.Status != CertificationStatus.Valid) throw new ProblemException(ProblemTypes.NotRevocable);

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var now = clock.GetUtcNow();
        var rows = await db.CertifiedCopies.Where(c => c.Id == id && c.Status == CertificationStatus.Valid)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, CertificationStatus.Revoked), ct);
        if (rows != 1) throw new ProblemException(ProblemTypes.AlreadyRevoked);
        db.Revocations.Add(new Revocation { Id = Guid.NewGuid(), CertifiedCopyId = id, Reason = reason.Trim(), RevokedById = officer.Id, RevokedAt = now });
        await audit.AppendAsync("certification.revoked", $"certification:{id}", new { book = copy.Book!.Label, number = copy.Number, reason = reason.Trim() }, ct: ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new RevocationResponse(id, "revoked", reason.Trim(), now);
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
            await db.CertifiedCopies.Where(c => c.Id == copy.Id && c.Status == CertificationStatus.AwaitingSignature).ExecuteDeleteAsync(ct);
            await db.Documents.Where(d => d.Id == copy.DocumentId).ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, DocumentStatus.Received), ct);
            await audit.AppendAsync(action, $"certification:{copy.Id}", new { tentativeNumber = copy.Number, reason }, actor: "system", ct: ct);
            await db.SaveChangesAsync(ct);
        }
        await tx.CommitAsync(ct);
        if (ended == 1) blobs.Delete(session.PreparedSha256);
    }

    // ------------------------------------------------------------------ helpers

    public async Task<Officer> RequireOfficerAsync(ClaimsPrincipal user, CancellationToken ct)
    {
        var id = OfficerClaims.Id(user) ?? throw new ProblemException(ProblemTypes.Unauthenticated);
        return await db.Officers.Include(o => o.Office).AsNoTracking().SingleOrDefaultAsync(o => o.Id == id && o.Active, ct)
               ?? throw new ProblemException(ProblemTypes.Unauthenticated);
    }

    private async Task<(Officer, Office, Authorisation?, DateOnly)> RequireCertifierAsync(ClaimsPrincipal user, CancellationToken ct)
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
        return (officer, office, authorisation, date);
    }

    private async Task<SigningIdentity> PersonalIdentityAsync(Officer officer, CancellationToken ct) =>
        await db.SigningIdentities.AsNoTracking().Where(s => s.OfficerId == officer.Id && s.OfficeId == officer.OfficeId && s.Active)
            .OrderByDescending(s => s.Id).FirstOrDefaultAsync(ct)
        ?? throw new ProblemException(ProblemTypes.NoSigningKey, "The officer has no signing key of their own.");

    private async Task<SigningIdentity> SealAsync(Office office, CancellationToken ct) =>
        await db.SigningIdentities.AsNoTracking().Where(s => s.OfficeId == office.Id && s.OfficerId == null && s.Active && s.Kind != SigningKeyKind.External)
            .OrderByDescending(s => s.Id).FirstOrDefaultAsync(ct)
        ?? throw new ProblemException(ProblemTypes.NoSigningKey, "The office has no seal key.");

    private async Task<(CertificationRequest Request, bool New)> ResolveRequestAsync(CertifyCommand command, Office office, Officer officer, CancellationToken ct)
    {
        if (command.Files.Count == 0) throw new ProblemException(ProblemTypes.NoFiles, "Upload the scans as 'files'.");
        if (command.Files.Count > options.Value.Limits.MaxFiles) throw new ProblemException(ProblemTypes.TooManyFiles);
        if (string.IsNullOrWhiteSpace(command.DocumentTitle) || command.DocumentTitle.Length > 300)
            throw new ProblemException(ProblemTypes.InvalidRequest, "documentTitle is required (at most 300 characters).");
        if (command.RequestId is { } id)
        {
            var existing = await db.Requests.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, ct) ?? throw new ProblemException(ProblemTypes.NotFound, "No such request.");
            if (existing.OfficeId != office.Id) throw new ProblemException(ProblemTypes.OtherOffice);
            return (existing, false);
        }
        if (string.IsNullOrWhiteSpace(command.RequesterName) || string.IsNullOrWhiteSpace(command.RequesterIdNumber) ||
            command.RequesterName.Length > 200 || command.RequesterIdNumber.Length > 32)
            throw new ProblemException(ProblemTypes.InvalidRequest, "requesterName and requesterIdNumber are required.");
        return (new CertificationRequest
        {
            Id = Guid.CreateVersion7(),
            OfficeId = office.Id,
            RequesterName = command.RequesterName.Trim().Normalize(System.Text.NormalizationForm.FormC),
            RequesterIdNumber = command.RequesterIdNumber.Trim(),
            ReceivedAt = clock.GetUtcNow(),
            ReceivedById = officer.Id,
        }, true);
    }

    /// <summary>The book entry for one certified document (one number per document, Circular 01/2020 Art. 4).</summary>
    private CertifiedCopy NewCopy(RequestDocument document, Office office, CertificationBook book, long number, Officer officer, DateOnly date,
        int pageCount, long fee, PadesLevel level, string accessCode, CertificationStatus status) => new()
    {
        Id = Guid.CreateVersion7(),
        DocumentId = document.Id,
        OfficeId = office.Id,
        BookId = book.Id,
        Number = number,
        CertifierId = officer.Id,
        Date = date,
        IssuedAt = clock.GetUtcNow(),
        PageCount = pageCount,
        Fee = fee,
        Level = level.Name(),
        AccessCodeHash = AccessCodes.Hash(accessCode),
        Status = status,
    };

    private RequestDocument AddDocument((CertificationRequest Request, bool New) resolved, string title, int pages, DocumentStatus status)
    {
        var request = resolved.Request;
        if (resolved.New) db.Requests.Add(request);
        var document = new RequestDocument
        {
            Id = Guid.CreateVersion7(),
            RequestId = request.Id,
            Title = title.Trim().Normalize(System.Text.NormalizationForm.FormC),
            PageCount = pages,
            Status = status,
        };
        db.Documents.Add(document);
        return document;
    }

    /// <summary>The open electronic book of the office for the year, opened on first use.</summary>
    private async Task<CertificationBook> OpenBookAsync(int officeId, DateOnly date, CancellationToken ct)
    {
        var book = await db.Books.AsNoTracking()
            .Where(b => b.OfficeId == officeId && b.BookType == CertificationBook.ElectronicCopies && b.Year == date.Year && b.ClosedOn == null)
            .OrderByDescending(b => b.Volume).FirstOrDefaultAsync(ct);
        if (book is not null) return book;
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            // Nodes sharing PostgreSQL open the book one at a time (SQLite's write transaction does this already).
            if (db.Database.IsNpgsql()) await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(7301002, {officeId})", ct);
            var exists = await db.Books.AnyAsync(b => b.OfficeId == officeId && b.BookType == CertificationBook.ElectronicCopies && b.Year == date.Year, ct);
            if (!exists)
            {
                var opened = new CertificationBook { OfficeId = officeId, BookType = CertificationBook.ElectronicCopies, Year = date.Year, Volume = 1, OpenedOn = date };
                db.Books.Add(opened);
                await db.SaveChangesAsync(ct);
                await audit.AppendAsync("book.opened", $"book:{opened.Id}", new { office = officeId, label = opened.Label }, actor: "system", ct: ct);
                await db.SaveChangesAsync(ct);
                db.Entry(opened).State = EntityState.Detached;
            }
            await tx.CommitAsync(ct);
        }
        return await db.Books.AsNoTracking()
            .Where(b => b.OfficeId == officeId && b.BookType == CertificationBook.ElectronicCopies && b.Year == date.Year && b.ClosedOn == null)
            .OrderByDescending(b => b.Volume).FirstAsync(ct);
    }

    /// <summary>Takes the book's row lock until the transaction ends (PostgreSQL) and returns its last number.</summary>
    private async Task<long> LockBookAsync(int bookId, CancellationToken ct) =>
        await db.Database.SqlQuery<long>($"SELECT \"LastNumber\" AS \"Value\" FROM \"Books\" WHERE \"Id\" = {bookId} FOR UPDATE").SingleAsync(ct);

    /// <summary>Compare-and-set of the book's last number: provider-neutral, and safe across processes
    /// (on PostgreSQL the UPDATE takes the row lock until commit).</summary>
    private async Task<bool> AdvanceBookAsync(int bookId, long number, CancellationToken ct) =>
        await db.Books.Where(b => b.Id == bookId && b.LastNumber == number - 1)
            .ExecuteUpdateAsync(s => s.SetProperty(b => b.LastNumber, number), ct) == 1;

    private CertificationDetails Details(Office office, Officer officer, Authorisation? authorisation, string title, CertificationBook book, long number,
        DateOnly date, string accessCode)
    {
        var fees = options.Value.Fees;
        return new CertificationDetails
        {
            CertificationNumber = number.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Book = book.Label,
            Date = date,
            OfficeName = office.Name,
            OfficeCode = office.Code,
            CertifierName = officer.FullName,
            CertifierTitle = officer.Title,
            Authorisation = authorisation?.Describe(),
            DocumentTitle = title.Trim(),
            LookupCode = accessCode,
            VerificationUrl = AccessUrl(accessCode),
            Fees = office.FeesWaived ? FeeSchedule.Free : new FeeSchedule(fees.FirstPagesFee, fees.FirstPages, fees.LaterPageFee, fees.MaximumFee),
        };
    }

    public Uri AccessUrl(string accessCode) => baseUrl.Resolve($"c/{accessCode}");

    private CertificationResponse Response(CertifiedCopy copy, CertificationBook book, Office office, CertificationRequest request, string accessCode)
    {
        var url = AccessUrl(accessCode).AbsoluteUri;
        using var qr = new QRCodeGenerator().CreateQrCode(url, QRCodeGenerator.ECCLevel.M);
        var svg = new SvgQRCode(qr).GetGraphic(4);
        return new CertificationResponse(copy.Id, copy.Number, book.Label, accessCode, url, svg, copy.PageCount, copy.Fee, copy.Sha256!, copy.Level,
            copy.Date, office.Name, request.Id, copy.DocumentId);
    }

    /// <summary>Recorded with the copy so the archive job finds copies due for extension by an index.</summary>
    private DateTimeOffset? ProtectedUntil(ReadOnlyMemory<byte> pdf) => Signing.Validation.ArchiveProtection.Of(pdf, trust.Anchors)?.Until;

    private DateOnly Today() => DateOnly.FromDateTime(clock.GetUtcNow().ToOffset(Vietnam).DateTime);

    private static string BookKey(int officeId, int year) => $"{officeId}/{CertificationBook.ElectronicCopies}/{year}";
}

/// <summary>One async lock per book key within this process, so certifications of one book queue instead
/// of racing (racing would be safe but wasteful: the loser composes and signs again).</summary>
public sealed class BookLocks
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    public async Task<IDisposable> AcquireAsync(string key, CancellationToken ct)
    {
        var gate = _locks.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        return new Release(gate);
    }

    private sealed class Release(SemaphoreSlim gate) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0) gate.Release();
        }
    }
}
