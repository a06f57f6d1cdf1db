using Certification.Signing.Validation.Facts;
using Certification.Signing.Validation.Report;

namespace Certification.Signing.Validation.Checks;

/// <summary>Fact collection did not stop on an unreadable part of this signature.</summary>
public sealed class ReadableSignatureCheck : ISignatureCheck
{
    public string Name => "readable";

    public CheckOutcome? Evaluate(CheckContext c) =>
        c.Signature.FatalProblem is { } problem ? CheckOutcome.Fail(SubIndication.FormatFailure, problem) : null;
}

/// <summary>The revisions of the file could be read from its cross-reference data; a reconstructed file
/// cannot be analysed for changes after signing.</summary>
public sealed class DocumentStructureCheck : ISignatureCheck
{
    public string Name => "documentStructure";

    public CheckOutcome? Evaluate(CheckContext c) => c.Document.File.IsReconstructed
        ? CheckOutcome.Indeterminate(SubIndication.FormatFailure, "the file's cross-reference data is broken; it was read by scanning, so changes after signing cannot be analysed")
        : null;
}

/// <summary>/ByteRange is four non-negative integers, starts at 0, has no overlap and stays inside the file (ISO 32000-1 § 12.8.1).</summary>
public sealed class ByteRangeCheck : ISignatureCheck
{
    public string Name => "byteRange";

    public CheckOutcome? Evaluate(CheckContext c) => c.Signature.ByteRangeProblem is { } problem
        ? CheckOutcome.Fail(SubIndication.FormatFailure, problem)
        : CheckOutcome.Pass($"/ByteRange [{string.Join(' ', c.Signature.ByteRange!)}] is well formed");
}

/// <summary>The gap in /ByteRange is exactly this signature dictionary's own /Contents hex string:
/// not more (uncovered bytes), not another string (signature wrapping or spoofing).</summary>
public sealed class ContentsPlacementCheck : ISignatureCheck
{
    public string Name => "contentsPlacement";

    public CheckOutcome? Evaluate(CheckContext c)
    {
        var s = c.Signature;
        if (s.ByteRangeProblem is not null || s.ByteRange is not { Length: 4 } range) return null;
        if (s.ContentsLocation is not { } location)
            return CheckOutcome.Fail(SubIndication.FormatFailure, $"the signed gap cannot be matched to this signature's /Contents: {s.ContentsLocationProblem}");
        if (range[1] != location.Start || range[2] != location.End)
            return CheckOutcome.Fail(SubIndication.FormatFailure,
                $"the unsigned gap (bytes {range[1]}–{range[2]}) is not this signature's /Contents (bytes {location.Start}–{location.End}): the byte range was moved or does not belong to this signature");
        return CheckOutcome.Pass("the only unsigned bytes are this signature's /Contents");
    }
}

/// <summary>The signed bytes end where a revision ends (pyHanko's coverage levels); anything else leaves
/// part of a revision unsigned.</summary>
public sealed class CoverageCheck : ISignatureCheck
{
    public string Name => "coverage";

    public CheckOutcome? Evaluate(CheckContext c)
    {
        var s = c.Signature;
        if (s.ByteRangeProblem is not null) return null;
        return s.Coverage switch
        {
            Coverage.EntireFile => CheckOutcome.Pass("the signature covers the whole file"),
            Coverage.EntireRevision => CheckOutcome.Pass($"the signature covers revision {s.SignedRevision!.Index + 1} of {c.Document.File.Revisions.Count}; later revisions are checked for changes"),
            _ => CheckOutcome.Fail(SubIndication.FormatFailure, "the signed bytes do not end at the end of a revision: part of the document is not covered"),
        };
    }
}

/// <summary>/Contents holds a single-signer detached CMS SignedData (or an RFC 3161 token for a document
/// timestamp): not empty, not zeros, not garbage (universal signature forgery).</summary>
public sealed class ContainerFormatCheck : ISignatureCheck
{
    public string Name => "containerFormat";

    public CheckOutcome? Evaluate(CheckContext c)
    {
        var s = c.Signature;
        if (s.FatalProblem is not null) return null;
        var contents = s.Embedded.Contents;
        if (contents.Length == 0) return CheckOutcome.Fail(SubIndication.FormatFailure, "/Contents is empty: there is no signature");
        if (contents.AsSpan().IndexOfAnyExcept((byte)0) < 0) return CheckOutcome.Fail(SubIndication.FormatFailure, "/Contents is all zeros: there is no signature");
        if (s.IsDocumentTimestamp)
            return s.DocumentTimestamp is null
                ? CheckOutcome.Fail(SubIndication.FormatFailure, "/Contents is not an RFC 3161 timestamp token")
                : CheckOutcome.Pass("/Contents is an RFC 3161 timestamp token");
        if (s.Pkcs1 is not null) return CheckOutcome.Pass("/Contents is a PKCS#1 signature value (adbe.x509.rsa_sha1)");
        if (s.Cms is not { } cms) return CheckOutcome.Fail(SubIndication.FormatFailure, "/Contents is not a CMS signature");
        if (cms.SignerCount != 1) return CheckOutcome.Fail(SubIndication.FormatFailure, $"the CMS has {cms.SignerCount} signers; a PDF signature has exactly one");
        if (cms.HasEncapsulatedContent && s.SubFilter is "ETSI.CAdES.detached" or "adbe.pkcs7.detached")
            return CheckOutcome.Fail(SubIndication.FormatFailure, "the CMS encapsulates content although the signature is detached");
        if (s.SubFilter == "ETSI.CAdES.detached" && !cms.HasSignedAttributes)
            return CheckOutcome.Fail(SubIndication.FormatFailure, "a CAdES signature must have signed attributes");
        return CheckOutcome.Pass($"/Contents is a detached CMS signature ({s.SubFilter ?? "no /SubFilter"})");
    }
}

/// <summary>The digest of the signed bytes equals the messageDigest attribute (or the timestamp imprint).</summary>
public sealed class DigestCheck : ISignatureCheck
{
    public string Name => "digest";

    public CheckOutcome? Evaluate(CheckContext c)
    {
        var s = c.Signature;
        if (s.DocumentTimestamp is { } ts)
            return ts.ImprintMatches
                ? CheckOutcome.Pass("the timestamp imprint matches the signed bytes")
                : CheckOutcome.Fail(SubIndication.HashFailure, "the signed bytes were changed: the timestamp imprint does not match them");
        if (s.Cms is not { } cms) return null;
        if (cms.ComputedDigest is null)
            return s.ByteRangeProblem is null
                ? CheckOutcome.Indeterminate(SubIndication.CryptoConstraintsFailure, $"digest algorithm {cms.DigestOid} is not supported")
                : CheckOutcome.Fail(SubIndication.FormatFailure, "the signed bytes cannot be hashed: the byte range lies outside the file");
        var expected = cms.MessageDigestAttribute;
        if (expected is null)
            return cms.HasSignedAttributes
                ? CheckOutcome.Fail(SubIndication.FormatFailure, "the signed attributes have no messageDigest")
                : cms.SignatureValid == true
                    ? CheckOutcome.Pass("the signature value covers the digest of the signed bytes directly")
                    : CheckOutcome.Fail(SubIndication.HashFailure, "the signed bytes were changed, or the signature is broken");
        return expected.AsSpan().SequenceEqual(cms.ComputedDigest)
            ? CheckOutcome.Pass("the digest of the signed bytes matches the signed messageDigest")
            : CheckOutcome.Fail(SubIndication.HashFailure, "the signed bytes were changed: their digest does not match the signed messageDigest");
    }
}
