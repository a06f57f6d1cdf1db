using Certification.Api.Domain;
using Certification.Api.Infrastructure;
using Certification.Api.Options;
using Certification.Signing.Cms;
using Certification.Signing.Documents;
using Certification.Signing.Pades;
using Certification.Signing.Pdf.Writing;
using Microsoft.Extensions.Options;
using QRCoder;

namespace Certification.Api.Features.Certifications;

/// <summary>A copy composed and signed into a scratch file, with what the book records about it.</summary>
public sealed record IssuedScratch(IssuedFile File, DateTimeOffset? ProtectedUntil, TimeSpan ComposedIn);

/// <summary>
/// Composing and signing the copy: the certification details printed on it (Circular 01/2020 Art. 4: book and
/// number, date, certifier), the certifier's signature then the office seal, the protection horizon recorded with
/// the copy, and the access URL and QR code handed back.
/// </summary>
public sealed class CopyIssuance(
    CertifiedCopyIssuer issuer,
    SigningKeys keys,
    PublicBaseUrl baseUrl,
    TrustServices trust,
    IOptions<CertificationOptions> options)
{
    public PadesLevel Level => PadesLevels.Parse(options.Value.Signing.Level);

    public CertifiedCopyIssuer Issuer => issuer;

    /// <summary>Opens a key the service holds (PKCS#12 or PKCS#11); a seal at a remote provider is opened by
    /// <see cref="RemoteCredentials.SealAsync"/>.</summary>
    public ISigningKey OpenKey(SigningIdentity identity) => keys.Open(identity);

    /// <summary>Composes and signs the copy with <paramref name="details"/> into <paramref name="scratch"/>: a large
    /// scan set costs about its own size in memory, not a copy of the PDF per signed revision (docs/performance.md).</summary>
    public async Task<IssuedScratch> IssueAsync(CopyPlan plan, CertificationDetails details, ISigningKey certifierKey, ISigningKey officeKey,
        FileStream scratch, PadesLevel level, CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        IssuedFile issued;
        using (Health.Telemetry.Activities.StartActivity("compose and sign"))
            issued = await issuer.IssueToFileAsync(plan, details, certifierKey, officeKey, scratch, level, ct);
        var composed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        Health.Telemetry.SigningLatency.Record(composed.TotalMilliseconds, new KeyValuePair<string, object?>("level", level.Name()));
        DateTimeOffset? protectedUntil;
        using (Health.Telemetry.Activities.StartActivity("protection horizon"))
        using (var signed = IncrementalPdf.OnDisk(scratch)) protectedUntil = ProtectedUntil(signed.Open().Data);
        return new IssuedScratch(issued, protectedUntil, composed);
    }

    /// <summary>Plans the copy before the book is held (<see cref="CertifiedCopyComposer.Plan"/>): the statement has as
    /// many lines whatever the book's label and number, which <see cref="IssueAsync"/> fills in.</summary>
    public CopyPlan Plan(AcceptedUpload upload, string accessCode) =>
        issuer.Composer.Plan(upload.Command.Files, Details(upload.Certifier, upload.Command.DocumentTitle, bookLabel: "", number: 0, accessCode));

    public CertificationDetails Details(Certifier certifier, string title, string bookLabel, long number, string accessCode)
    {
        var fees = options.Value.Fees;
        var office = certifier.Office;
        return new CertificationDetails
        {
            CertificationNumber = number.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Book = bookLabel,
            Date = certifier.Date,
            OfficeName = office.Name,
            OfficeCode = office.Code,
            CertifierName = certifier.Officer.FullName,
            CertifierTitle = certifier.Officer.Title,
            Authorisation = certifier.Authorisation?.Describe(),
            DocumentTitle = title.Trim(),
            LookupCode = accessCode,
            VerificationUrl = AccessUrl(accessCode),
            Fees = office.FeesWaived ? FeeSchedule.Free : new FeeSchedule(fees.FirstPagesFee, fees.FirstPages, fees.LaterPageFee, fees.MaximumFee),
        };
    }

    /// <summary>Recorded with the copy so the archive job finds copies due for extension by an index.</summary>
    public DateTimeOffset? ProtectedUntil(ReadOnlyMemory<byte> pdf) => Signing.Validation.ArchiveProtection.Of(pdf, trust.Anchors)?.Until;

    public Uri AccessUrl(string accessCode) => baseUrl.Resolve($"c/{accessCode}");

    public CertificationResponse Response(CertifiedCopy copy, CertificationBook book, Office office, CertificationRequest request, string accessCode)
    {
        var url = AccessUrl(accessCode).AbsoluteUri;
        using var qr = new QRCodeGenerator().CreateQrCode(url, QRCodeGenerator.ECCLevel.M);
        var svg = new SvgQRCode(qr).GetGraphic(4);
        return new CertificationResponse(copy.Id, copy.Number, book.Label, accessCode, url, svg, copy.PageCount, copy.Fee, copy.Sha256!, copy.Level,
            copy.Date, office.Name, request.Id, copy.DocumentId);
    }
}
