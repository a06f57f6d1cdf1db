using Certification.Signing.Validation.Facts;
using Certification.Signing.Validation.Modifications;

namespace Certification.Signing.Validation.Report;

/// <summary>A named observation about what produced the file, beside the verdict: what a receiving officer
/// needs to know about copies from other products (stable <see cref="Code"/>, English message).</summary>
public sealed record Finding(string Code, string Message);

/// <summary>The named findings: shapes other Vietnamese products produce and what they mean.</summary>
public static class Findings
{
    public const string NotSignedCode = "notSigned";
    public const string NotPadesBaselineCode = "notPadesBaseline";
    public const string WeakAlgorithmCode = "weakAlgorithm";
    public const string ChangedAfterSigningCode = "changedAfterSigning";
    public const string SignatureNotOfThisFileCode = "signatureNotOfThisFile";

    /// <summary>No signature dictionary at all: a stamp or signature image on a page is not a signature.</summary>
    public static readonly Finding NotSigned = new(NotSignedCode,
        "not signed: the file carries no digital signature; a visible stamp or a signature image on a page proves nothing (Law on Electronic Transactions 2023, Art. 22)");

    public static IReadOnlyList<Finding> ForDocument(DocumentFacts document)
    {
        var foreign = document.Signatures.Count(s => s.ByteRangeProblem is null && s.ContentsLocation is { } l && s.ByteRange is { Length: 4 } r && (r[1] != l.Start || r[2] != l.End));
        var outside = document.Signatures.Count(s => s.ByteRangeProblem is not null);
        var count = foreign + outside;
        return count == 0
            ? []
            : [new Finding(SignatureNotOfThisFileCode,
                $"{count} of {document.Signatures.Count} signatures were made over another file: their byte ranges do not fit this one, as when signed copies are merged into one file or re-saved whole; verify each original copy separately")];
    }

    public static IReadOnlyList<Finding> ForSignature(SignatureFacts s, IReadOnlyList<CheckReport> checks)
    {
        var findings = new List<Finding>();
        if (!s.IsDocumentTimestamp && (s.Cms is not null || s.Pkcs1 is not null) && s.SubFilter != "ETSI.CAdES.detached")
        {
            var why = new List<string> { "its /SubFilter is not ETSI.CAdES.detached" };
            if (s.Cms is { Binding: SigningCertificateBinding.Absent }) why.Add("no signing-certificate-v2 attribute binds the signer's certificate (ETSI EN 319 122-1 § 5.2.2)");
            if (s.Cms?.SigningTimeAttribute is not null) why.Add("it carries a signing-time attribute, which PAdES forbids; that time is only claimed by the signer");
            findings.Add(new Finding(NotPadesBaselineCode,
                $"{s.SubFilter ?? "no /SubFilter"}: {(s.Pkcs1 is null ? "a CMS signature" : "a bare PKCS#1 signature")}, not a PAdES baseline signature (ETSI EN 319 142-1 § 6.3): {string.Join("; ", why)}"));
        }
        if (checks.FirstOrDefault(c => c.Name == "cryptographicStrength" && c.Result != CheckResult.Passed) is { } strength &&
            (strength.Message.Contains("SHA-1", StringComparison.Ordinal) || strength.Message.Contains("MD5", StringComparison.Ordinal)))
            findings.Add(new Finding(WeakAlgorithmCode, $"weak algorithm, not accepted under Circular 15/2025/TT-BKHCN and ETSI TS 119 312: {strength.Message}"));
        var changes = s.Modifications.Where(m => m.Kind > ModificationKind.SignaturesAndTimestamps).GroupBy(m => m.Revision).ToList();
        if (changes.Count > 0)
            findings.Add(new Finding(ChangedAfterSigningCode, "changed after signing: " + string.Join("; ",
                changes.Select(g => $"revision {g.Key + 1}: {string.Join(", ", g.Select(m => m.Message).Distinct().Take(10))}"))));
        return findings;
    }
}
