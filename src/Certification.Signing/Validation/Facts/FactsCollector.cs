using System.Security.Cryptography;
using Certification.Signing.Cms;
using Certification.Signing.Pades;
using Certification.Signing.Pdf;
using Certification.Signing.Validation.Report;
using Org.BouncyCastle.X509;

namespace Certification.Signing.Validation.Facts;

/// <summary>
/// Reads what a signed PDF contains (signatures, their byte ranges and containers, the DSS) without
/// judging it. The signed bytes are hashed once per (range, algorithm), streamed with IncrementalHash.
/// </summary>
public sealed class FactsCollector(PdfFile file)
{
    private readonly Dictionary<string, byte[]?> _digests = [];
    private readonly List<(HashAlgorithmName Hash, long Offset, IncrementalHash? State)> _checkpoints = [];

    public DocumentFacts Collect()
    {
        var findings = new List<string>();
        if (file.IsReconstructed)
            findings.Add("the cross-reference data is broken; objects were found by scanning the file, so revisions cannot be told apart");
        var trailing = TrailingBytes();
        if (trailing > 0)
            findings.Add($"{trailing} bytes after the last %%EOF are not part of any revision");

        var (dss, vriKeys, firstDss) = ReadDss();
        var embedded = EmbeddedSignatures.Find(file);
        var signatures = new List<SignatureFacts>(embedded.Count);
        for (var i = 0; i < embedded.Count; i++) signatures.Add(new SignatureFacts { Index = i, Embedded = embedded[i] });
        // Earlier revisions first, so each signature's hash continues from the previous one's (RangeDigest).
        foreach (var facts in signatures.OrderBy(f => f.ByteRange is { Length: > 1 } r ? r[1] : long.MaxValue))
        {
            try
            {
                Collect(facts, dss);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                facts.FatalProblem = $"the signature could not be read: {e.Message}";
            }
        }
        foreach (var checkpoint in _checkpoints) checkpoint.State?.Dispose();
        _checkpoints.Clear();
        return new DocumentFacts
        {
            File = file,
            Signatures = signatures,
            Dss = dss,
            VriKeys = vriKeys,
            FirstDssRevision = firstDss,
            TrailingBytes = trailing,
            Findings = findings,
        };
    }

    private void Collect(SignatureFacts facts, ValidationMaterialPool dss)
    {
        CollectByteRange(facts);
        var dict = facts.Embedded.Dictionary;
        facts.ClaimedSigningTime = PdfDate.TryParse((SafeResolve(dict["M"]) as PdfString)?.ToText());
        facts.DocMdpPermissions = DocMdp(dict);

        var container = facts.Embedded.ContainerBytes;
        if (container.Length == 0 || container.AsSpan().IndexOfAnyExcept((byte)0) < 0) return; // judged by the container check

        if (facts.IsDocumentTimestamp)
        {
            var ts = TimestampEvidence.Read(container);
            ts.Verify(hash => RangeDigest(facts, hash), dss.Certificates);
            facts.DocumentTimestamp = ts;
            facts.ClaimedSigningTime = ts.GenTime;
            return;
        }

        if (facts.SubFilter == "adbe.x509.rsa_sha1")
        {
            facts.Pkcs1 = ReadPkcs1(facts, dict, container);
            return;
        }

        var cms = CmsEvidence.Read(container);
        facts.Cms = cms;
        facts.ClaimedSigningTime ??= cms.SigningTimeAttribute;
        if (cms.Hash is { } h) cms.ComputedDigest = RangeDigest(facts, h);
        cms.SignerCertificate = cms.Certificates.Concat(dss.Certificates).FirstOrDefault(c => cms.Signer.SignerID.Match(c));
        if (cms.SignerCertificate is { } signer)
        {
            cms.VerifySignature(signer);
            cms.CheckBinding(signer);
        }
        if (cms.SignatureTimestampToken is { } token)
        {
            try
            {
                var ts = TimestampEvidence.Read(token);
                var value = cms.Signer.GetSignature();
                ts.Verify(hash => Digests.Compute(hash, value), cms.Certificates.Concat(dss.Certificates));
                facts.SignatureTimestamp = ts;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                facts.SignatureTimestampProblem = $"the signature timestamp token cannot be read: {e.Message}";
            }
        }
    }

    private Pkcs1Evidence ReadPkcs1(SignatureFacts facts, PdfDictionary dict, byte[] container)
    {
        var cert = SafeResolve(dict["Cert"]);
        var certificates = (cert is PdfArray array ? array.Items.Select(i => SafeResolve(i)) : [cert]).OfType<PdfString>()
            .Select(s => RevocationReader.Certificate(s.Bytes)).OfType<X509Certificate>().ToList();
        if (certificates.Count == 0) throw new InvalidDataException("adbe.x509.rsa_sha1 without a readable /Cert");
        var value = Org.BouncyCastle.Asn1.Asn1OctetString.GetInstance(Org.BouncyCastle.Asn1.Asn1Object.FromByteArray(BerEncoding.Trim(container))).GetOctets();
        var digest = RangeDigest(facts, HashAlgorithmName.SHA1);
        var valid = digest is not null && PublicKeyCache.Get(certificates[0]) is { Algorithm: RSA rsa } key &&
                    key.Use(() => VerifyPkcs1(rsa, digest, value));
        return new Pkcs1Evidence(certificates[0], certificates, valid);
    }

    private static bool VerifyPkcs1(RSA rsa, byte[] digest, byte[] value)
    {
        try { return rsa.VerifyHash(digest, value, HashAlgorithmName.SHA1, RSASignaturePadding.Pkcs1); }
        catch (CryptographicException) { return false; }
    }

    private void CollectByteRange(SignatureFacts facts)
    {
        var length = file.Data.Length;
        var range = facts.ByteRange;
        if (range is null) facts.ByteRangeProblem = "the signature has no /ByteRange array";
        else if (range.Length != 4) facts.ByteRangeProblem = $"/ByteRange has {range.Length} numbers instead of 4";
        else if (range.Any(v => v < 0)) facts.ByteRangeProblem = "/ByteRange holds negative or non-integer values";
        else if (range[0] != 0) facts.ByteRangeProblem = $"/ByteRange starts at byte {range[0]}, not at the beginning of the file";
        else if (range[2] < range[1]) facts.ByteRangeProblem = "the two ranges of /ByteRange overlap";
        else if (range[2] + range[3] > length) facts.ByteRangeProblem = $"/ByteRange reaches byte {range[2] + range[3]} but the file has only {length}";

        // Where this dictionary's /Contents really is: the object as the last revision defines it.
        if (facts.Embedded.ValueReference is not { } valueRef)
            facts.ContentsLocationProblem = "the signature value is not an indirect object";
        else if (file.LookupEntry(valueRef.ObjectNumber, file.LastRevision.Index) is not { Kind: XrefEntryKind.InFile } entry)
            facts.ContentsLocationProblem = "the signature dictionary is not stored directly in the file (object stream or missing)";
        else
        {
            facts.ContentsLocation = ContentsLocator.Locate(file, entry.Offset, out var problem);
            facts.ContentsLocationProblem = problem;
        }

        if (facts.ByteRangeProblem is not null) return;
        var end = range![2] + range[3];
        if (end == length) facts.Coverage = Coverage.EntireFile;
        foreach (var revision in file.Revisions)
        {
            if (IsRevisionEnd(end, revision.EndOffset))
            {
                facts.SignedRevision = revision;
                if (facts.Coverage != Coverage.EntireFile) facts.Coverage = Coverage.EntireRevision;
                break;
            }
        }
        if (facts.SignedRevision is null && facts.Coverage == Coverage.EntireFile && !file.IsReconstructed)
            facts.Coverage = Coverage.Partial; // the file end is not a revision end: unparsed bytes signed along
        if (facts.SignedRevision is null && file.IsReconstructed && end == length) facts.SignedRevision = file.LastRevision;
    }

    /// <summary>The signed bytes end exactly at the revision's end, or just before the end-of-line after its %%EOF.</summary>
    private bool IsRevisionEnd(long end, long revisionEnd)
    {
        if (end == revisionEnd) return true;
        if (end > revisionEnd || revisionEnd - end > 2) return false;
        var span = file.Data.Span;
        for (var i = end; i < revisionEnd; i++) if (span[(int)i] is not ((byte)'\r' or (byte)'\n')) return false;
        return end >= 5 && span[((int)end - 5)..(int)end].SequenceEqual("%%EOF"u8);
    }

    /// <summary>Digest of the bytes named by /ByteRange (every pair, as long as it lies inside the file).
    /// Signatures of later revisions sign the earlier revisions again: the hash state after each first
    /// range is kept (<see cref="IncrementalHash.Clone"/>), so a later range starting at 0 continues from
    /// the longest checkpoint it extends, and a file with several signatures is hashed about once.</summary>
    public byte[]? RangeDigest(SignatureFacts facts, HashAlgorithmName hash)
    {
        var range = facts.ByteRange;
        if (range is null || range.Length == 0 || range.Length % 2 != 0) return null;
        var key = $"{hash.Name}:{string.Join(',', range)}";
        if (_digests.TryGetValue(key, out var cached)) return cached;
        byte[]? result = null;
        if (range.All(v => v >= 0) && Enumerable.Range(0, range.Length / 2).All(i => range[2 * i] + range[2 * i + 1] <= file.Data.Length))
        {
            var span = file.Data.Span;
            var first = 0;
            IncrementalHash digest;
            if (range[0] == 0)
            {
                (long Offset, IncrementalHash? State) best = (0, null);
                foreach (var c in _checkpoints)
                    if (c.Hash == hash && c.Offset <= range[1] && c.Offset > best.Offset) best = (c.Offset, c.State);
                digest = best.State?.Clone() ?? IncrementalHash.CreateHash(hash);
                digest.AppendData(span[(int)best.Offset..(int)range[1]]);
                if (best.Offset != range[1] && _checkpoints.Count < 64) _checkpoints.Add((hash, range[1], digest.Clone()));
                first = 2;
            }
            else digest = IncrementalHash.CreateHash(hash);
            using (digest)
            {
                for (var i = first; i < range.Length; i += 2) digest.AppendData(span.Slice((int)range[i], (int)range[i + 1]));
                result = digest.GetHashAndReset();
            }
        }
        _digests[key] = result;
        return result;
    }

    private int? DocMdp(PdfDictionary signature)
    {
        if (SafeResolve(signature["Reference"]) is not PdfArray references) return null;
        foreach (var item in references.Items)
        {
            if (SafeResolve(item) is PdfDictionary sigRef && sigRef.GetName("TransformMethod") == "DocMDP")
            {
                var parameters = SafeResolve(sigRef["TransformParams"]) as PdfDictionary;
                return SafeResolve(parameters?["P"]) is PdfInteger { Value: >= 1 and <= 3 } p ? (int)p.Value : 2;
            }
        }
        return null;
    }

    private long TrailingBytes()
    {
        if (file.IsReconstructed) return 0;
        var span = file.Data.Span;
        var from = (int)Math.Min(file.LastRevision.EndOffset, span.Length);
        long count = 0;
        foreach (var b in span[from..]) if (!PdfLexer.IsWhitespace(b)) count++;
        return count;
    }

    private (ValidationMaterialPool Pool, Dictionary<string, int> VriKeys, int? FirstDss) ReadDss()
    {
        var pool = new ValidationMaterialPool();
        var vriKeys = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        int? firstDss = null;
        var seenStreams = new HashSet<int>();
        foreach (var revision in file.Revisions)
        {
            try
            {
                if (SafeResolve(revision.Trailer["Root"], revision) is not PdfDictionary root) continue;
                if (SafeResolve(root["DSS"], revision) is not PdfDictionary dss) continue;
                firstDss ??= revision.Index;
                if (SafeResolve(dss["VRI"], revision) is PdfDictionary vri)
                    foreach (var key in vri.Keys) vriKeys.TryAdd(key, revision.Index);
                // Only the last revision's DSS counts as material; earlier ones are subsets of it in practice,
                // and material that was removed later is still evidence, so read every revision's.
                ReadStreams(dss["Certs"], revision, seenStreams, data => { if (RevocationReader.Certificate(data) is { } c && !pool.Certificates.Contains(c)) pool.Certificates.Add(c); });
                ReadStreams(dss["CRLs"], revision, seenStreams, data => { if (RevocationReader.Crl(data) is { } c && !pool.Crls.Contains(c)) pool.Crls.Add(c); });
                ReadStreams(dss["OCSPs"], revision, seenStreams, data => { if (RevocationReader.Ocsp(data) is { } o) pool.OcspResponses.Add(o); });
            }
            catch (PdfFormatException)
            {
                // A broken DSS just contributes nothing.
            }
        }
        return (pool, vriKeys, firstDss);
    }

    private void ReadStreams(PdfObject? array, PdfRevision revision, HashSet<int> seen, Action<byte[]> add)
    {
        if (SafeResolve(array, revision) is not PdfArray items) return;
        foreach (var item in items.Items.Take(10_000))
        {
            if (item is PdfReference r && !seen.Add(r.ObjectNumber)) continue;
            try
            {
                if (SafeResolve(item, revision) is PdfStream stream) add(file.DecodeStream(stream, revision));
            }
            catch (PdfFormatException) { }
        }
    }

    private PdfObject? SafeResolve(PdfObject? obj, PdfRevision? revision = null)
    {
        try { return file.Resolve(obj, revision); }
        catch (PdfFormatException) { return null; }
    }
}
