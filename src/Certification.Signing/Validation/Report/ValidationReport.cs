using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Certification.Signing.Validation.Modifications;

namespace Certification.Signing.Validation.Report;

/// <summary>
/// The simple report: one verdict per signature and for the document (JSON contract of issue 3). The CLI
/// prints it with <see cref="ToJson"/>; the service returns the same document.
/// </summary>
public sealed record ValidationReport
{
    /// <summary>Worst indication over the signatures; <see cref="Report.Indication.NoSignatureFound"/> when there are none.</summary>
    public required Indication Indication { get; init; }

    /// <summary>Set only for document-level failures (an unreadable file: FORMAT_FAILURE).</summary>
    public SubIndication? SubIndication { get; init; }

    /// <summary>False when the file could not be read as a PDF at all; the CLI exits with 4.</summary>
    public bool Readable { get; init; } = true;

    /// <summary>Why the file could not be read.</summary>
    public string? Error { get; init; }

    public DateTimeOffset ValidationTime { get; init; }

    /// <summary>The version of the trust store the verdict was reached with (<see cref="Trust.TrustStore.Version"/>).</summary>
    public string? TrustStoreVersion { get; init; }

    public int Revisions { get; init; }

    /// <summary>Document-level observations: reconstructed cross-reference data, bytes after the last %%EOF.</summary>
    public IReadOnlyList<string> DocumentFindings { get; init; } = [];

    /// <summary>Named findings about the whole file (not signed; signatures made over another file).</summary>
    public IReadOnlyList<Finding> Findings { get; init; } = [];

    public IReadOnlyList<SignatureReport> Signatures { get; init; } = [];

    public static ValidationReport Unreadable(string error, DateTimeOffset time) => new()
    {
        Indication = Indication.Indeterminate,
        SubIndication = Report.SubIndication.FormatFailure,
        Readable = false,
        Error = error,
        ValidationTime = time,
    };

    public static readonly JsonSerializerOptions JsonOptions = CreateJsonOptions();

    private static JsonSerializerOptions CreateJsonOptions()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            WriteIndented = true,
            // Vietnamese text stays readable in the JSON instead of \uXXXX escapes.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseUpper));
        return options;
    }

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary><see cref="ToJson"/> as a JSON object, without writing and parsing the text.</summary>
    public System.Text.Json.Nodes.JsonObject ToJsonObject() => JsonSerializer.SerializeToNode(this, JsonOptions)!.AsObject();

    /// <summary>The plain-language summary of every signature, Vietnamese first, then English.</summary>
    public string ToPlainText()
    {
        var sb = new System.Text.StringBuilder();
        if (!Readable)
        {
            sb.AppendLine($"Không đọc được tệp: {Error}");
            sb.AppendLine($"The file could not be read: {Error}");
            return sb.ToString();
        }
        sb.AppendLine($"Kết luận / Verdict: {Names.Of(Indication)}");
        if (TrustStoreVersion is not null) sb.AppendLine($"Kho tin cậy / Trust store: {TrustStoreVersion}");
        foreach (var finding in DocumentFindings) sb.AppendLine($"! {finding}");
        foreach (var finding in Findings) sb.AppendLine($"! {finding.Code}: {finding.Message}");
        if (Signatures.Count == 0)
        {
            sb.AppendLine("Tài liệu không có chữ ký số nào.");
            sb.AppendLine("The document carries no digital signature.");
        }
        foreach (var s in Signatures)
        {
            sb.AppendLine();
            sb.AppendLine($"[{s.FieldName}] {Names.Of(s.Indication)}{(s.SubIndication is { } sub ? " / " + Names.Of(sub) : "")}");
            sb.AppendLine(s.Summary.Vi);
            sb.AppendLine(s.Summary.En);
            foreach (var finding in s.Findings) sb.AppendLine($"! {finding.Code}: {finding.Message}");
        }
        return sb.ToString();
    }
}

/// <summary>The verdict on one signature or document timestamp.</summary>
public sealed record SignatureReport
{
    public required string FieldName { get; init; }

    /// <summary>"signature" or "documentTimestamp".</summary>
    public required string Type { get; init; }

    public string? SubFilter { get; init; }

    /// <summary>"PAdES-BASELINE-B", "-T", "-LT", "-LTA" or "NONE". The baseline levels of ETSI EN 319 142-1
    /// § 6 are levels of signatures (ETSI.CAdES.detached), so a document timestamp is always "NONE": it has
    /// no level of its own, it raises the signatures it covers (listed in <see cref="TimestampedSignatures"/>)
    /// to -T, or to -LTA when it covers their validation data. Signatures that are not PAdES
    /// (adbe.pkcs7.detached) are "NONE" too.</summary>
    public required string Level { get; init; }

    /// <summary>For a document timestamp: the fields of the signatures and earlier document timestamps whose
    /// signed revisions it covers; null for a signature.</summary>
    public IReadOnlyList<string>? TimestampedSignatures { get; init; }

    public SignerIdentity? Signer { get; init; }

    public required Indication Indication { get; init; }
    public SubIndication? SubIndication { get; init; }

    public Coverage Coverage { get; init; }

    /// <summary>The most significant change after this signature (pyHanko's ModificationLevel).</summary>
    public ModificationKind ModificationsAfterSigning { get; init; }

    /// <summary>Every change found after signing, each naming what changed.</summary>
    public IReadOnlyList<ModificationReport> Modifications { get; init; } = [];

    /// <summary>The time the signer claims (/M or the signing-time attribute): not proven.</summary>
    public DateTimeOffset? ClaimedSigningTime { get; init; }

    /// <summary>The earliest validated timestamp that proves the signature existed, if any.</summary>
    public DateTimeOffset? TimestampTime { get; init; }

    /// <summary>Best signature time (ETSI EN 319 102-1 § 5.6.2.2 proof of existence), or the validation time.</summary>
    public DateTimeOffset? BestSignatureTime { get; init; }

    /// <summary>0-based index of the revision this signature signed, when its coverage is a whole revision.</summary>
    public int? SignedRevision { get; init; }

    public IReadOnlyList<long>? ByteRange { get; init; }

    /// <summary>DocMDP permission (1, 2 or 3) when this is a certification signature.</summary>
    public int? DocMdpPermissions { get; init; }

    /// <summary>The trust store entry the signer's (or TSA's) path ends at, as granted at the time judged.</summary>
    public TrustAnchorReport? TrustAnchor { get; init; }

    public IReadOnlyList<CheckReport> Checks { get; init; } = [];

    /// <summary>Named findings: not PAdES baseline, weak algorithm, what changed after signing.</summary>
    public IReadOnlyList<Finding> Findings { get; init; } = [];

    public required Summary Summary { get; init; }
}

public sealed record TrustAnchorReport(string Name, string Subject, Trust.TrustPurpose Purpose, string Source, string Fingerprint);

/// <summary>The signer's (or TSA's) certificate: names, serial number and SHA-256 fingerprint of its DER encoding.</summary>
public sealed record SignerIdentity(string Subject, string Issuer, string SerialNumber, string? CertificateSha256 = null);

public sealed record CheckReport(string Name, CheckResult Result, string Message);

public sealed record ModificationReport(ModificationKind Kind, int Revision, string Message);

/// <summary>Plain summary: Vietnamese (NFC) and English.</summary>
public sealed record Summary(string Vi, string En);

/// <summary>Wire names of the enums, as in the JSON contract.</summary>
public static class Names
{
    public static string Of<T>(T value) where T : struct, Enum => JsonNamingPolicy.SnakeCaseUpper.ConvertName(value.ToString());
}
