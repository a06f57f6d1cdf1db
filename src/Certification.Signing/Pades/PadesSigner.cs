using System.Security.Cryptography;
using Certification.Signing.Appearance;
using Certification.Signing.Cms;
using Certification.Signing.Pdf;
using Certification.Signing.Pdf.Writing;
using Certification.Signing.Pki;
using Certification.Signing.Revocation;
using Certification.Signing.Timestamps;
using Org.BouncyCastle.X509;

namespace Certification.Signing.Pades;

/// <summary>
/// Signs PDFs by incremental update at the PAdES baseline levels (ETSI EN 319 142-1). The pipeline:
/// <see cref="PrepareAsync"/> lays out the revision with placeholders and computes what the key must sign;
/// <see cref="CompleteAsync"/> embeds the CMS (adding the signature timestamp for B-T), then appends the
/// DSS (B-LT) and a document timestamp (B-LTA), each in its own revision.
/// </summary>
public sealed class PadesSigner(ITimestampAuthority? timestamps = null, IRevocationSource? revocation = null, TimeProvider? clock = null)
{
    /// <summary>Room reserved for a signature timestamp token inside /Contents.</summary>
    private const int TimestampAllowance = 12_000;
    private const int DocumentTimestampCapacity = 16_000;

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public async Task<byte[]> SignAsync(ReadOnlyMemory<byte> pdf, ISigningKey key, SignatureRequest request, CancellationToken ct = default)
    {
        using var document = IncrementalPdf.InMemory(pdf);
        await SignAsync(document, key, request, ct);
        return document.ToArray();
    }

    /// <summary>Appends the signature to <paramref name="document"/>, then for B-LT the validation data and
    /// for B-LTA a document timestamp, each in its own revision. With <see cref="IncrementalPdf.OnDisk"/>
    /// nothing the size of the document is held in memory.</summary>
    public async Task SignAsync(IncrementalPdf document, ISigningKey key, SignatureRequest request, CancellationToken ct = default)
    {
        using var activity = SigningActivities.Start("signature");
        if (activity is not null) activity.DisplayName = $"signature {request.FieldName ?? ""}".TrimEnd();
        var pending = await PrepareCoreAsync(document, key.CertificateChain, key.Algorithm, request, fingerprint: false, ct);
        var signature = await SignatureValueAsync(key, pending, ct);
        await CompleteCoreAsync(document, pending, signature, key.CertificateChain, ct);
    }

    private static async Task<byte[]> SignatureValueAsync(ISigningKey key, PendingSignature pending, CancellationToken ct)
    {
        using var activity = SigningActivities.Start("signature value");
        return await key.SignDigestAsync(pending.DataToSign, ct);
    }

    /// <summary>Signs and writes the result to <paramref name="output"/>. Up to B-T the original bytes are
    /// written straight from <paramref name="pdf"/> followed by the new revision, so a large scan set is
    /// never copied in memory.</summary>
    public async Task SignAsync(ReadOnlyMemory<byte> pdf, ISigningKey key, SignatureRequest request, Stream output, CancellationToken ct = default)
    {
        using var document = IncrementalPdf.InMemory(pdf);
        var pending = await PrepareCoreAsync(document, key.CertificateChain, key.Algorithm, request, fingerprint: false, ct);
        var signature = await SignatureValueAsync(key, pending, ct);
        if (request.Level >= PadesLevel.BaselineLT)
        {
            await CompleteCoreAsync(document, pending, signature, key.CertificateChain, ct);
            await output.WriteAsync(document.Bytes, ct);
            return;
        }
        var revision = await EmbedSignatureAsync(pending, signature, key.CertificateChain, ct);
        await output.WriteAsync(pdf, ct);
        await output.WriteAsync(revision.UpdateBytes, ct);
    }

    /// <summary>Step one of external signing: lays out the revision and returns the digest the key must sign.</summary>
    public Task<PendingSignature> PrepareAsync(
        ReadOnlyMemory<byte> pdf, IReadOnlyList<X509Certificate> chain, SignatureAlgorithm algorithm, SignatureRequest request, CancellationToken ct = default) =>
        PrepareCoreAsync(IncrementalPdf.InMemory(pdf), chain, algorithm, request, fingerprint: true, ct);

    private async Task<PendingSignature> PrepareCoreAsync(
        IncrementalPdf pdf, IReadOnlyList<X509Certificate> chain, SignatureAlgorithm algorithm, SignatureRequest request, bool fingerprint, CancellationToken ct)
    {
        if (chain.Count == 0) throw new ArgumentException("The signer certificate is required to prepare a signature");
        if (request.Level >= PadesLevel.BaselineT && timestamps is null)
            throw new InvalidOperationException($"PAdES {request.Level.Name()} needs a timestamp authority");
        var now = _clock.GetUtcNow();
        await CheckSignerCertificateAsync(chain, now, ct);

        using var prepare = SigningActivities.Start("prepare");
        var file = pdf.Open();
        var existingPermissions = SignatureFields.CertificationPermissions(file);
        if (existingPermissions == 1)
            throw new InvalidOperationException("The document is certified with DocMDP permission 1: no further signatures are allowed");
        if (request.CertifyPermissions is { } p)
        {
            if (p is < 1 or > 3) throw new ArgumentException("DocMDP permissions must be 1, 2 or 3");
            if (EmbeddedSignatures.Find(file).Count > 0)
                throw new InvalidOperationException("A certification signature must be the first signature in the document");
        }

        var update = new IncrementalUpdate(file);
        var catalog = new CatalogChanges(file);
        var fieldName = SignatureFields.ChooseFieldName(file, request.FieldName);
        var certBytes = chain.Sum(c => c.GetEncoded().Length);
        var capacity = Math.Max(certBytes, 6_000) + 2_000 + (request.Level >= PadesLevel.BaselineT ? TimestampAllowance : 0);
        var placeholders = new SignaturePlaceholders(capacity);

        var signature = new PdfDictionary()
            .Set("Type", new PdfName("Sig"))
            .Set("Filter", new PdfName("Adobe.PPKLite"))
            .Set("SubFilter", new PdfName(request.SubFilter == SignatureSubFilter.CadesDetached ? "ETSI.CAdES.detached" : "adbe.pkcs7.detached"))
            .Set("ByteRange", placeholders.ByteRange);
        var signerName = SignerDisplayName(chain[0]);
        signature["Name"] = PdfString.FromText(signerName);
        signature["M"] = PdfDate.ToPdfString(now.ToOffset(TimeSpan.FromHours(7)));
        if (request.Reason is { } reason) signature["Reason"] = PdfString.FromText(reason);
        if (request.Location is { } location) signature["Location"] = PdfString.FromText(location);
        if (request.ContactInfo is { } contact) signature["ContactInfo"] = PdfString.FromText(contact);
        if (request.CertifyPermissions is { } permissions)
        {
            signature["Reference"] = new PdfArray([new PdfDictionary()
                .Set("Type", new PdfName("SigRef"))
                .Set("TransformMethod", new PdfName("DocMDP"))
                .Set("TransformParams", new PdfDictionary()
                    .Set("Type", new PdfName("TransformParams"))
                    .Set("P", new PdfInteger(permissions))
                    .Set("V", new PdfName("1.2")))]);
        }
        signature["Contents"] = placeholders.Contents;
        var signatureRef = update.Add(signature);

        var (appearanceRef, page, rect) = AddAppearance(update, request.Appearance, chain[0], now);
        SignatureFields.Add(update, file, fieldName, signatureRef, appearanceRef, page, rect, catalog);
        if (request.CertifyPermissions is not null)
            catalog.Edit()["Perms"] = new PdfDictionary().Set("DocMDP", signatureRef);
        catalog.WriteTo(update);

        var prepared = placeholders.Layout(pdf, update.Write(), algorithm.Hash);
        var signedAttributes = CmsSignatureBuilder.BuildSignedAttributes(prepared.Digest, chain[0], algorithm.Hash);
        return new PendingSignature
        {
            DataToSign = CmsSignatureBuilder.HashData(algorithm.Hash, signedAttributes),
            HashAlgorithm = algorithm.Hash.Name!,
            Scheme = algorithm.Scheme,
            Level = request.Level,
            SignedAttributes = signedAttributes,
            SignerCertificate = chain[0].GetEncoded(),
            UpdateBytes = prepared.UpdateBytes,
            BaseLength = prepared.BaseLength,
            ContentsOffset = prepared.ContentsOffset,
            ContentsCapacity = prepared.ContentsCapacity,
            DocumentSha256 = fingerprint ? pdf.Sha256() : [],
        };
    }

    /// <summary>Step two of external signing: embeds the signature value the external key returned.</summary>
    public async Task<byte[]> CompleteAsync(
        ReadOnlyMemory<byte> pdf, PendingSignature pending, byte[] signatureValue, IReadOnlyList<X509Certificate> chain, CancellationToken ct = default)
    {
        using var document = IncrementalPdf.InMemory(pdf);
        if (pdf.Length != pending.BaseLength || !document.Sha256().AsSpan().SequenceEqual(pending.DocumentSha256))
            throw new InvalidOperationException("This is not the document the signature was prepared for");
        await CompleteCoreAsync(document, pending, signatureValue, chain, ct);
        return document.ToArray();
    }

    private async Task CompleteCoreAsync(
        IncrementalPdf pdf, PendingSignature pending, byte[] signatureValue, IReadOnlyList<X509Certificate> chain, CancellationToken ct)
    {
        pdf.Append((await EmbedSignatureAsync(pending, signatureValue, chain, ct)).UpdateBytes);
        if (pending.Level >= PadesLevel.BaselineLT) await AddValidationDataAsync(pdf, ct);
        if (pending.Level >= PadesLevel.BaselineLTA) await AddDocumentTimestampAsync(pdf, pending.Hash, ct);
    }

    /// <summary>Checks the returned signature value, timestamps it for B-T and above, and writes the CMS into /Contents.</summary>
    private async Task<PreparedRevision> EmbedSignatureAsync(
        PendingSignature pending, byte[] signatureValue, IReadOnlyList<X509Certificate> chain, CancellationToken ct)
    {
        if (chain.Count == 0 || !chain[0].GetEncoded().AsSpan().SequenceEqual(pending.SignerCertificate))
            throw new InvalidOperationException("The certificate chain does not start with the certificate the signature was prepared for");
        if (!SignatureValues.Verify(chain[0], pending.Algorithm, pending.DataToSign, signatureValue))
            throw new InvalidOperationException("The signature value does not verify with the signer certificate's public key");

        byte[]? token = null;
        if (pending.Level >= PadesLevel.BaselineT)
        {
            var tsa = timestamps ?? throw new InvalidOperationException("A timestamp authority is required");
            using var activity = SigningActivities.Start("timestamp");
            token = await tsa.GetTimestampTokenAsync(CmsSignatureBuilder.HashData(pending.Hash, signatureValue), pending.Hash, ct);
        }
        var container = CmsSignatureBuilder.Assemble(pending.SignedAttributes, signatureValue, pending.Algorithm, chain, token);
        var prepared = new PreparedRevision(pending.UpdateBytes.ToArray(), pending.BaseLength, pending.ContentsOffset, pending.ContentsCapacity, [], []);
        prepared.Embed(container);
        return prepared;
    }

    /// <summary>B-LT: a revision with the DSS holding certificates and revocation data for every signature
    /// and timestamp in the file that does not have a VRI entry yet.</summary>
    public async Task<byte[]> AddValidationDataAsync(byte[] pdf, CancellationToken ct = default)
    {
        using var document = IncrementalPdf.InMemory(pdf);
        await AddValidationDataAsync(document, ct);
        return document.ToArray();
    }

    /// <inheritdoc cref="AddValidationDataAsync(byte[], CancellationToken)"/>
    public async Task AddValidationDataAsync(IncrementalPdf pdf, CancellationToken ct = default)
    {
        using var activity = SigningActivities.Start("dss");
        var file = pdf.Open();
        var existingVri = file.Get<PdfDictionary>(file.Catalog, "DSS") is { } dss ? file.Get<PdfDictionary>(dss, "VRI") : null;
        var entries = new List<DocumentSecurityStore.VriEntry>();
        foreach (var signature in EmbeddedSignatures.Find(file))
        {
            if (existingVri?.ContainsKey(signature.VriKey) == true) continue;
            entries.Add(new(signature.VriKey, await CollectAsync(signature, ct)));
        }
        if (entries.Count > 0) DocumentSecurityStore.Append(pdf, entries, _clock.GetUtcNow());
    }

    /// <summary>B-LTA: a document timestamp (ETSI.RFC3161) over the whole file as it stands.</summary>
    public async Task<byte[]> AddDocumentTimestampAsync(byte[] pdf, HashAlgorithmName hash, CancellationToken ct = default)
    {
        using var document = IncrementalPdf.InMemory(pdf);
        await AddDocumentTimestampAsync(document, hash, ct);
        return document.ToArray();
    }

    /// <inheritdoc cref="AddDocumentTimestampAsync(byte[], HashAlgorithmName, CancellationToken)"/>
    public async Task AddDocumentTimestampAsync(IncrementalPdf pdf, HashAlgorithmName hash, CancellationToken ct = default)
    {
        var tsa = timestamps ?? throw new InvalidOperationException("A document timestamp needs a timestamp authority");
        using var activity = SigningActivities.Start("document timestamp");
        var file = pdf.Open();
        var update = new IncrementalUpdate(file);
        var catalog = new CatalogChanges(file);
        var placeholders = new SignaturePlaceholders(DocumentTimestampCapacity);
        var dictionary = new PdfDictionary()
            .Set("Type", new PdfName("DocTimeStamp"))
            .Set("Filter", new PdfName("Adobe.PPKLite"))
            .Set("SubFilter", new PdfName("ETSI.RFC3161"))
            .Set("ByteRange", placeholders.ByteRange)
            .Set("Contents", placeholders.Contents);
        var valueRef = update.Add(dictionary);
        SignatureFields.Add(update, file, SignatureFields.ChooseFieldName(file, null, "DocumentTimestamp"), valueRef,
            SignatureAppearanceRenderer.AddEmpty(update), 1, [0, 0, 0, 0], catalog);
        catalog.WriteTo(update);
        var prepared = placeholders.Layout(pdf, update.Write(), hash);
        prepared.Embed(await tsa.GetTimestampTokenAsync(prepared.Digest, hash, ct));
        pdf.Append(prepared.UpdateBytes);
    }

    /// <summary>Renews an archive (B-LTA extension, ETSI EN 319 142-1 § 5.5): fresh validation data for
    /// everything in the file, including the last document timestamp, then a new document timestamp.</summary>
    public async Task<byte[]> ExtendAsync(byte[] pdf, CancellationToken ct = default)
    {
        using var document = IncrementalPdf.InMemory(pdf);
        await ExtendAsync(document, ct);
        return document.ToArray();
    }

    /// <inheritdoc cref="ExtendAsync(byte[], CancellationToken)"/>
    public async Task ExtendAsync(IncrementalPdf pdf, CancellationToken ct = default)
    {
        var file = pdf.Open();
        var entries = new List<DocumentSecurityStore.VriEntry>();
        foreach (var signature in EmbeddedSignatures.Find(file)) entries.Add(new(signature.VriKey, await CollectAsync(signature, ct)));
        if (entries.Count > 0) DocumentSecurityStore.Append(pdf, entries, _clock.GetUtcNow());
        await AddDocumentTimestampAsync(pdf, HashAlgorithmName.SHA256, ct);
    }

    private async Task<ValidationMaterial> CollectAsync(EmbeddedSignature signature, CancellationToken ct)
    {
        var container = signature.ContainerBytes;
        var chains = new List<IReadOnlyList<X509Certificate>>();
        var (signer, all) = CertificateChains.FromCms(container);
        if (signer is not null) chains.Add(CertificateChains.Build(signer, all));
        if (!signature.IsDocumentTimestamp && CertificateChains.SignatureTimestamp(container) is { } token)
        {
            var tsaCerts = token.GetCertificates().EnumerateMatches(null).ToList();
            var tsaSigner = tsaCerts.FirstOrDefault(c => token.SignerID.Match(c));
            if (tsaSigner is not null) chains.Add(CertificateChains.Build(tsaSigner, tsaCerts));
        }

        var certificates = chains.SelectMany(c => c).Select(c => c.GetEncoded()).ToList();
        var data = RevocationData.Empty;
        if (revocation is not null)
        {
            using var activity = SigningActivities.Start("revocation");
            foreach (var chain in chains) data = data.Merge(await revocation.FetchAsync(chain, ct));
        }
        // Delegated OCSP responder certificates travel inside the responses; validators find them there.
        return new ValidationMaterial(certificates, data.Crls, data.OcspResponses);
    }

    /// <summary>Refuses an expired, not yet valid, wrongly-purposed or known-revoked signer certificate
    /// (Circular 15/2025: signing software checks the certificate before signing). Revocation is checked
    /// when a source is configured and the issuer is known; unobtainable evidence does not block signing.</summary>
    private async Task CheckSignerCertificateAsync(IReadOnlyList<X509Certificate> chain, DateTimeOffset now, CancellationToken ct)
    {
        using var activity = SigningActivities.Start("signer certificate check");
        RevocationStatus? status = null;
        if (revocation is not null && chain.Count > 1)
        {
            try
            {
                status = await revocation.CheckAsync(chain[0], chain[1], ct);
            }
            catch (RevocationFetchException)
            {
                status = RevocationStatus.Unknown;
            }
        }
        SigningCertificatePolicy.Check(chain[0], now, status);
    }

    private static (PdfReference Appearance, int Page, double[] Rect) AddAppearance(
        IncrementalUpdate update, SignatureAppearance? appearance, X509Certificate signer, DateTimeOffset now)
    {
        if (appearance is null) return (SignatureAppearanceRenderer.AddEmpty(update), 1, [0, 0, 0, 0]);
        var lines = appearance.Lines ?? DefaultLines(signer, now);
        var reference = SignatureAppearanceRenderer.Add(update, appearance.Width, appearance.Height, lines);
        return (reference, appearance.Page, [appearance.X, appearance.Y, appearance.X + appearance.Width, appearance.Y + appearance.Height]);
    }

    /// <summary>Signer, organisation and time (ISO 8601), Vietnamese first.</summary>
    public static IReadOnlyList<string> DefaultLines(X509Certificate signer, DateTimeOffset time)
    {
        var lines = new List<string> { $"Ký bởi / Signed by: {SignerDisplayName(signer)}" };
        var organisation = signer.SubjectDN.GetValueList(Org.BouncyCastle.Asn1.X509.X509Name.O).FirstOrDefault();
        if (organisation is not null) lines.Add($"Cơ quan / Office: {organisation}");
        lines.Add($"Thời gian / Time: {time.ToOffset(TimeSpan.FromHours(7)):yyyy-MM-ddTHH:mm:sszzz}");
        return lines;
    }

    public static string SignerDisplayName(X509Certificate certificate) =>
        certificate.SubjectDN.GetValueList(Org.BouncyCastle.Asn1.X509.X509Name.CN).FirstOrDefault() ?? certificate.SubjectDN.ToString();
}
