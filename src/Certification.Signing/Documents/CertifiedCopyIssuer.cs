using System.Security.Cryptography;
using System.Text.Json;
using Certification.Signing.Cms;
using Certification.Signing.Pades;
using Certification.Signing.Pdf.Writing;
using Org.BouncyCastle.X509;

namespace Certification.Signing.Documents;

/// <summary>The certified copy as delivered: signed by the certifier, then sealed by the office.</summary>
/// <param name="PageCount">Pages of the original (the fee's basis).</param>
public sealed record IssuedCopy(byte[] Pdf, int PageCount, long Fee, string Sha256Hex);

/// <summary>A certified copy issued into a file: its length and digest.</summary>
public sealed record IssuedFile(long Length, int PageCount, long Fee, string Sha256Hex);

/// <summary>A composed copy whose certifier signature waits for an external signer (USB token, remote
/// signHash with approval on a phone). Serialises to JSON so a service can keep it meanwhile.</summary>
public sealed record PreparedCopy
{
    /// <summary>The composed, unsigned PDF the pending signature was laid out for.</summary>
    public required byte[] ComposedPdf { get; init; }

    /// <summary><see cref="PendingSignature.ToJson"/> of the certifier's signature.</summary>
    public required byte[] PendingSignatureJson { get; init; }

    public required int PageCount { get; init; }
    public required long Fee { get; init; }
    public required PadesLevel Level { get; init; }
    public required SignatureAppearance SealStamp { get; init; }
    public required string OfficeName { get; init; }

    public PendingSignature Pending => PendingSignature.FromJson(PendingSignatureJson);

    /// <summary>What the external key must sign (the digest of the signed attributes).</summary>
    public byte[] DataToSign => Pending.DataToSign;

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this);

    public static PreparedCopy FromJson(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize<PreparedCopy>(json) ?? throw new ArgumentException("Not a prepared copy");
}

/// <summary>
/// Issues certified copies: composes the copy, then the certifier's personal signature as a
/// certification signature (DocMDP P=2: later signatures allowed, nothing else), then the office's seal
/// signature (domain order: certifier first, then the "seal"), both visible in the statement block.
/// Default level B-LT, so the copy stays verifiable after the certificates expire.
/// </summary>
public sealed class CertifiedCopyIssuer(PadesSigner signer, IntakeLimits? limits = null, TimeProvider? clock = null)
{
    public const string CertifierReason = "Chứng thực bản sao đúng với bản chính";
    public const string SealReason = "Xác thực bản sao điện tử của cơ quan chứng thực";

    private readonly CertifiedCopyComposer _composer = new(limits, clock);
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public CertifiedCopyComposer Composer => _composer;

    public async Task<IssuedCopy> IssueAsync(IReadOnlyList<ScanFile> scans, CertificationDetails details, ISigningKey certifier, ISigningKey office,
        PadesLevel level = PadesLevel.BaselineLT, CancellationToken ct = default)
    {
        var composed = _composer.Compose(scans, details);
        using var document = IncrementalPdf.InMemory(composed.Pdf);
        await SignBothAsync(document, composed.Layout, details.OfficeName, certifier, office, level, ct);
        var pdf = document.ToArray();
        return new IssuedCopy(pdf, composed.Layout.PageCount, composed.Layout.Fee, Convert.ToHexStringLower(SHA256.HashData(pdf)));
    }

    /// <summary>Issues the copy into <paramref name="output"/> (an empty file open for reading and writing):
    /// composed straight into the file and signed by appending to it, so nothing the size of the copy is
    /// held in memory besides the scans themselves.</summary>
    public Task<IssuedFile> IssueToFileAsync(IReadOnlyList<ScanFile> scans, CertificationDetails details, ISigningKey certifier, ISigningKey office,
        FileStream output, PadesLevel level = PadesLevel.BaselineLT, CancellationToken ct = default) =>
        IssueToFileAsync(_composer.Plan(scans, details), details, certifier, office, output, level, ct);

    /// <summary>As <see cref="IssueToFileAsync(IReadOnlyList{ScanFile}, CertificationDetails, ISigningKey, ISigningKey, FileStream, PadesLevel, CancellationToken)"/>
    /// for scans already planned (<see cref="CertifiedCopyComposer.Plan"/>, before the number was known).</summary>
    public async Task<IssuedFile> IssueToFileAsync(CopyPlan plan, CertificationDetails details, ISigningKey certifier, ISigningKey office,
        FileStream output, PadesLevel level = PadesLevel.BaselineLT, CancellationToken ct = default)
    {
        if (output.Length != 0) throw new ArgumentException("The output file must be empty", nameof(output));
        var layout = _composer.Compose(plan, details, output);
        using var document = IncrementalPdf.OnDisk(output);
        await SignBothAsync(document, layout, details.OfficeName, certifier, office, level, ct);
        using var digest = SigningActivities.Start("digest");
        return new IssuedFile(document.Length, layout.PageCount, layout.Fee, Convert.ToHexStringLower(document.Sha256()));
    }

    private async Task SignBothAsync(IncrementalPdf document, CopyLayout layout, string officeName, ISigningKey certifier, ISigningKey office,
        PadesLevel level, CancellationToken ct)
    {
        await signer.SignAsync(document, certifier, CertifierRequest(layout.CertifierStamp, officeName, level), ct);
        await signer.SignAsync(document, office, SealRequest(layout.SealStamp, officeName, level), ct);
    }

    /// <summary>Step one of the two-step flow: composes the copy and lays out the certifier's signature.</summary>
    public async Task<PreparedCopy> PrepareAsync(IReadOnlyList<ScanFile> scans, CertificationDetails details, IReadOnlyList<X509Certificate> certifierChain,
        SignatureAlgorithm algorithm, PadesLevel level = PadesLevel.BaselineLT, CancellationToken ct = default)
    {
        var (pdf, layout) = _composer.Compose(scans, details);
        var pending = await signer.PrepareAsync(pdf, certifierChain, algorithm, CertifierRequest(layout.CertifierStamp, details.OfficeName, level), ct);
        return new PreparedCopy
        {
            ComposedPdf = pdf,
            PendingSignatureJson = pending.ToJson(),
            PageCount = layout.PageCount,
            Fee = layout.Fee,
            Level = level,
            SealStamp = layout.SealStamp,
            OfficeName = CertificationDetails.Nfc(details.OfficeName),
        };
    }

    /// <summary>Step two: embeds the certifier's signature value, then seals with the office key.</summary>
    public async Task<IssuedCopy> CompleteAsync(PreparedCopy prepared, byte[] signatureValue, IReadOnlyList<X509Certificate> certifierChain, ISigningKey office,
        CancellationToken ct = default)
    {
        var certified = await signer.CompleteAsync(prepared.ComposedPdf, prepared.Pending, signatureValue, certifierChain, ct);
        var pdf = await signer.SignAsync(certified, office, SealRequest(prepared.SealStamp, prepared.OfficeName, prepared.Level), ct);
        return new IssuedCopy(pdf, prepared.PageCount, prepared.Fee, Convert.ToHexStringLower(SHA256.HashData(pdf)));
    }

    private SignatureRequest SealRequest(SignatureAppearance stamp, string officeName, PadesLevel level) => new()
    {
        Level = level,
        FieldName = "OfficeSeal",
        Reason = SealReason,
        Location = CertificationDetails.Nfc(officeName),
        Appearance = stamp with { Lines = CertificationStatement.SealLines(CertificationDetails.Nfc(officeName), _clock.GetUtcNow()) },
    };

    private static SignatureRequest CertifierRequest(SignatureAppearance stamp, string officeName, PadesLevel level) => new()
    {
        Level = level,
        FieldName = "Certifier",
        CertifyPermissions = 2,
        Reason = CertifierReason,
        Location = CertificationDetails.Nfc(officeName),
        Appearance = stamp,
    };
}
