using System.Text.RegularExpressions;

namespace Certification.TestSupport.ExternalTools;

/// <summary>One signature as poppler's pdfsig reports it. The raw lines are kept for assertion
/// messages; the typed properties are what tests assert on.</summary>
public sealed record PdfsigSignature(
    int Number,
    string? FieldName,
    string? SignerCommonName,
    string? SignerDistinguishedName,
    string? SigningTime,
    string? HashAlgorithm,
    /// <summary>The /SubFilter, e.g. "ETSI.CAdES.detached", "adbe.pkcs7.detached", "ETSI.RFC3161".</summary>
    string? SignatureType,
    string? SignedRanges,
    /// <summary>True for "Total document signed", false for "Not total document signed", null if absent.</summary>
    bool? TotalDocumentSigned,
    /// <summary>e.g. "Signature is Valid.", "Digest Mismatch.", "Document isn't signed or corrupted data."</summary>
    string? SignatureValidation,
    /// <summary>e.g. "Certificate is Trusted.", "Certificate issuer isn't Trusted.", "Certificate issuer is unknown.";
    /// null when pdfsig printed none (it omits it after a digest mismatch).</summary>
    string? CertificateValidation,
    IReadOnlyList<string> Lines)
{
    public bool IsValid => SignatureValidation == "Signature is Valid.";
    public bool IsDigestMismatch => SignatureValidation == "Digest Mismatch.";
    public bool IsTrusted => CertificateValidation == "Certificate is Trusted.";

    /// <summary>pdfsig 22.12 lists a document timestamp (ETSI.RFC3161) as "Signature Type: unknown" and
    /// never verifies it ("Signature has not yet been verified."): judge those with <see cref="OpenSslTs"/>.</summary>
    public bool IsUnverifiedDocumentTimestamp => SignatureType == "unknown";
}

/// <summary>What pdfsig said about a file.</summary>
public sealed record PdfsigReport(ToolResult Raw, IReadOnlyList<PdfsigSignature> Signatures)
{
    public bool HasNoSignatures => Signatures.Count == 0;

    /// <summary>Every signature is valid, trusted, and the last one covers the whole file.</summary>
    public bool AllValidAndTrusted =>
        Signatures.Count > 0 && Signatures.All(s => s.IsValid && s.IsTrusted) && Signatures[^1].TotalDocumentSigned == true;

    public override string ToString() => Raw.ToString();
}

/// <summary>poppler-utils' pdfsig as an independent judge: integrity of each signature and trust in its
/// chain against an NSS database holding only the given anchors. It does not check timestamps,
/// embedded revocation data or document timestamps. Its exit code is 0 even for a broken signature,
/// so the text is parsed.</summary>
public static partial class Pdfsig
{
    /// <summary>Verifies <paramref name="pdfPath"/> trusting exactly the certificates in
    /// <paramref name="trustAnchorPemPaths"/> (PEM files, bundles allowed; none: nothing is trusted).</summary>
    public static PdfsigReport Verify(string pdfPath, params string[] trustAnchorPemPaths)
    {
        using var nss = NssDatabase.Create(trustAnchorPemPaths);
        return Parse(ExternalTool.Run("pdfsig", ["-nssdir", nss.Argument, pdfPath]));
    }

    /// <summary>Verifies with PEM text directly (one certificate or a bundle).</summary>
    public static PdfsigReport VerifyWithPem(string pdfPath, params string[] trustAnchorPems)
    {
        using var dir = new TempDirectory("pdfsig-ca");
        var files = trustAnchorPems.Select((pem, i) => { var f = dir.File($"ca{i}.pem"); File.WriteAllText(f, pem); return f; }).ToArray();
        return Verify(pdfPath, files);
    }

    /// <summary>Runs <c>pdfsig -dump</c>: writes each signature's CMS to
    /// <c>&lt;outputDirectory&gt;/&lt;file name&gt;.sig&lt;N&gt;</c> and returns those paths in order.</summary>
    public static IReadOnlyList<string> Dump(string pdfPath, string outputDirectory)
    {
        Directory.CreateDirectory(outputDirectory);
        var copy = Path.Combine(outputDirectory, Path.GetFileName(pdfPath));
        if (Path.GetFullPath(copy) != Path.GetFullPath(pdfPath)) File.Copy(pdfPath, copy, overwrite: true);
        ExternalTool.Run("pdfsig", ["-nocert", "-dump", Path.GetFileName(copy)], workingDirectory: outputDirectory);
        return Directory.GetFiles(outputDirectory, Path.GetFileName(copy) + ".sig*")
            .OrderBy(f => int.Parse(f[(f.LastIndexOf(".sig", StringComparison.Ordinal) + 4)..])).ToList();
    }

    [GeneratedRegex(@"^Signature #(\d+):\s*$")]
    private static partial Regex SignatureHeader();

    [GeneratedRegex(@"^\s+- (.*?)\s*$")]
    private static partial Regex Item();

    /// <summary>Parses pdfsig 22.x output.</summary>
    public static PdfsigReport Parse(ToolResult raw)
    {
        var signatures = new List<PdfsigSignature>();
        List<string>? lines = null;
        var number = 0;
        void Flush()
        {
            if (lines is not null) signatures.Add(Build(number, lines));
        }
        foreach (var line in raw.StdOut.Split('\n'))
        {
            var header = SignatureHeader().Match(line);
            if (header.Success)
            {
                Flush();
                number = int.Parse(header.Groups[1].Value);
                lines = [];
                continue;
            }
            var item = Item().Match(line);
            if (item.Success && lines is not null) lines.Add(TextRepair.UndoDoubleUtf8(item.Groups[1].Value));
        }
        Flush();
        if (signatures.Count == 0 && !raw.StdOut.Contains("does not contain any signatures"))
            throw new InvalidOperationException($"pdfsig printed neither signatures nor 'does not contain any signatures':\n{raw}");
        return new PdfsigReport(raw, signatures);
    }

    private static PdfsigSignature Build(int number, List<string> lines)
    {
        string? Get(string key) => lines.FirstOrDefault(l => l.StartsWith(key + ":", StringComparison.Ordinal)) is { } l
            ? l[(key.Length + 1)..].Trim() : null;
        bool? total = lines.Contains("Total document signed") ? true : lines.Contains("Not total document signed") ? false : null;
        return new PdfsigSignature(number, Get("Signature Field Name"), Get("Signer Certificate Common Name"),
            Get("Signer full Distinguished Name"), Get("Signing Time"), Get("Signing Hash Algorithm"),
            Get("Signature Type"), Get("Signed Ranges"), total, Get("Signature Validation"),
            Get("Certificate Validation"), lines);
    }
}

/// <summary>A throwaway NSS database (for pdfsig) that trusts the given anchors as CAs.</summary>
public sealed class NssDatabase : IDisposable
{
    private readonly TempDirectory _dir;

    private NssDatabase(TempDirectory dir) => _dir = dir;

    public string Directory => _dir.Path;

    /// <summary>The value for <c>-nssdir</c> / <c>-d</c>: <c>sql:DIR</c>.</summary>
    public string Argument => "sql:" + _dir.Path;

    public static NssDatabase Create(IEnumerable<string> trustAnchorPemPaths)
    {
        var db = new NssDatabase(new TempDirectory("nssdb"));
        try
        {
            ExternalTool.RunChecked("certutil", ["-N", "-d", db.Argument, "--empty-password"]);
            var paths = trustAnchorPemPaths.ToList();
            if (paths.Count == 0) return db;
            var i = 0;
            foreach (var pem in TrustAnchors.ReadPemFiles(paths))
            {
                var file = db._dir.File($"anchor{i}.pem");
                File.WriteAllText(file, pem);
                ExternalTool.RunChecked("certutil", ["-A", "-d", db.Argument, "-n", $"anchor{i}", "-t", "CT,C,C", "-i", file]);
                i++;
            }
            return db;
        }
        catch
        {
            db.Dispose();
            throw;
        }
    }

    public void Dispose() => _dir.Dispose();
}
