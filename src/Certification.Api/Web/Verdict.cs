using System.Text.Json.Nodes;

namespace Certification.Api.Web;

public enum VerdictKind
{
    /// <summary>Every signature passed (ETSI TOTAL-PASSED), the file is the registered copy, and it is not revoked.</summary>
    Valid,
    /// <summary>A signature failed (TOTAL-FAILED), the file was changed, or the registry says revoked.</summary>
    NotValid,
    /// <summary>Neither: INDETERMINATE signatures, or a sound file the registry does not know.</summary>
    CannotBeDecided,
}

public sealed record SignerLine(string Who, string? SignedAt, string? TimestampAt, string Indication, string Summary);

/// <summary>
/// Reads the verification report (the validator's report plus <c>registry</c>) into plain words for people:
/// one verdict, the reasons for it, who signed and when, whether the file is intact, the registry match, and
/// what changed after signing. The report's own layers stay available as the technical details.
/// </summary>
public sealed class Verdict
{
    public required VerdictKind Kind { get; init; }
    public required IReadOnlyList<string> Reasons { get; init; }
    public required IReadOnlyList<SignerLine> Signers { get; init; }
    public required bool Intact { get; init; }
    public required bool RegistryFound { get; init; }
    public required bool HashMatches { get; init; }
    public required bool Revoked { get; init; }
    public string? RevocationReason { get; init; }
    public string? Office { get; init; }
    public string? Number { get; init; }
    public string? Book { get; init; }
    public string? Date { get; init; }
    public required IReadOnlyList<string> Changes { get; init; }

    private static readonly HashSet<string> IntegrityChecks = ["digest", "signatureValue", "byteRange"];

    public static Verdict Read(JsonObject report, string lang)
    {
        string L(string vi, string en) => lang == Language.English ? en : vi;
        var reasons = new List<string>();
        var signers = new List<SignerLine>();
        var changes = new List<string>();
        var intact = true;
        var allowedAdditions = false;
        var indication = (string?)report["indication"] ?? "INDETERMINATE";
        var signatures = report["signatures"] as JsonArray ?? [];
        if (report["readable"] is JsonValue r && r.GetValue<bool>() == false)
        {
            reasons.Add(Texts.Get("verify.unreadable", lang));
            intact = false;
        }
        if (signatures.Count == 0 && report["readable"]?.GetValue<bool>() != false) reasons.Add(Texts.Get("verify.noSignature", lang));
        foreach (var s in signatures.OfType<JsonObject>())
        {
            var sigIndication = (string?)s["indication"] ?? "INDETERMINATE";
            var sub = (string?)s["subIndication"];
            var who = (string?)s["signer"]?["subject"] ?? "?";
            var summary = (string?)s["summary"]?[lang] ?? "";
            signers.Add(new SignerLine(Cn(who), (string?)s["claimedSigningTime"] ?? (string?)s["bestSignatureTime"], (string?)s["timestampTime"], sigIndication, summary));
            var failedIntegrity = (s["checks"] as JsonArray ?? []).OfType<JsonObject>()
                .Any(c => IntegrityChecks.Contains((string?)c["name"] ?? "") && (string?)c["result"] == "FAILED");
            if (failedIntegrity || sub is "HASH_FAILURE" or "SIG_CRYPTO_FAILURE") intact = false;
            if (sigIndication != "TOTAL_PASSED")
            {
                reasons.Add(Cn(who) + ": " + (sub switch
                {
                    "HASH_FAILURE" => L("nội dung tệp đã bị sửa sau khi ký (mã băm không khớp với chữ ký).", "the content was changed after signing (the digest does not match the signature)."),
                    "SIG_CRYPTO_FAILURE" => L("giá trị chữ ký số không đúng.", "the signature value is wrong."),
                    "REVOKED" or "REVOKED_NO_POE" => L("chứng thư số của người ký đã bị thu hồi.", "the signer's certificate was revoked."),
                    "CHAIN_CONSTRAINTS_FAILURE" or "NO_CERTIFICATE_CHAIN_FOUND" => L("chứng thư số không do tổ chức được tin cậy cấp.", "the certificate was not issued by a trusted authority."),
                    "NO_SIGNING_CERTIFICATE_FOUND" => L("không tìm thấy chứng thư số của người ký.", "the signer's certificate is missing."),
                    "OUT_OF_BOUNDS_NO_POE" or "NOT_YET_VALID" => L("chứng thư số hết hạn hoặc chưa có hiệu lực tại thời điểm ký.", "the certificate was expired or not yet valid when signing."),
                    "TRY_LATER" => L("chưa lấy được thông tin thu hồi; hãy thử lại sau.", "revocation information is not available yet; try later."),
                    "FORMAT_FAILURE" => L("chữ ký hoặc tệp sai định dạng.", "the signature or the file is malformed."),
                    _ => summary,
                }));
            }
            foreach (var m in (s["modifications"] as JsonArray ?? []).OfType<JsonObject>())
            {
                var kind = (string?)m["kind"];
                if (kind is "SIGNATURES_AND_TIMESTAMPS" or "VALIDATION_DATA" or "NONE") { allowedAdditions = true; continue; }
                var label = kind switch
                {
                    "FORM_FILLING" => L("Điền biểu mẫu", "Form filling"),
                    "ANNOTATIONS" => L("Ghi chú", "Annotations"),
                    _ => L("Thay đổi nội dung", "Content changed"),
                };
                var line = label + ": " + ((string?)m["message"] ?? kind);
                if (!changes.Contains(line)) changes.Add(line);
            }
            var after = (string?)s["modificationsAfterSigning"];
            if (after is "OTHER" or "FORM_FILLING" or "ANNOTATIONS" && (s["modifications"] as JsonArray ?? []).Count == 0)
                changes.Add(after switch
                {
                    "FORM_FILLING" => L("Có ô biểu mẫu được điền sau khi ký.", "Form fields were filled in after signing."),
                    "ANNOTATIONS" => L("Có ghi chú, chú thích được thêm sau khi ký.", "Annotations were added after signing."),
                    _ => L("Nội dung của tệp đã bị thay đổi sau khi ký (không phải chữ ký hay dấu thời gian được thêm vào).",
                        "The file's content was changed after signing (not by adding signatures or timestamps)."),
                });
        }
        if (!intact)
            changes.Insert(0, L("Các byte được ký đã bị thay đổi: đây không còn là tệp đã được ký.", "Signed bytes were altered: this is no longer the file that was signed."));
        if (allowedAdditions)
            changes.Add(L("Sau chữ ký đầu tiên chỉ thêm chữ ký, dấu thời gian và dữ liệu kiểm tra chứng thư (được phép).",
                "After the first signature only signatures, timestamps and certificate validation data were added (allowed)."));

        var registry = report["registry"] as JsonObject;
        var found = registry?["found"]?.GetValue<bool>() == true;
        var hashMatches = registry?["hashMatches"]?.GetValue<bool>() == true;
        var revoked = (string?)registry?["status"] == "revoked";
        if (revoked) reasons.Add(Texts.Get("verify.registry.revoked", lang) + ((string?)registry?["revocationReason"] is { } why ? ": " + why : "."));
        if (!found) reasons.Add(Texts.Get("verify.notRegistered", lang));
        else if (!hashMatches) reasons.Add(Texts.Get("verify.registry.hashDiffers", lang) + ".");

        var kindOf = indication == "TOTAL_FAILED" || revoked || !intact || signatures.Count == 0 ? VerdictKind.NotValid
            : indication == "TOTAL_PASSED" && found && hashMatches ? VerdictKind.Valid
            : VerdictKind.CannotBeDecided;
        return new Verdict
        {
            Kind = kindOf, Reasons = kindOf == VerdictKind.Valid ? [] : reasons, Signers = signers, Intact = intact, RegistryFound = found,
            HashMatches = hashMatches, Revoked = revoked, RevocationReason = (string?)registry?["revocationReason"], Office = (string?)registry?["office"],
            Number = registry?["certificationNumber"]?.ToString(), Book = (string?)registry?["book"], Date = (string?)registry?["date"], Changes = changes,
        };
    }

    /// <summary>The common name of a distinguished name ("CN=Nguyễn Văn An,O=…" → "Nguyễn Văn An").</summary>
    private static string Cn(string dn)
    {
        foreach (var part in dn.Split(','))
        {
            var p = part.Trim();
            if (p.StartsWith("CN=", StringComparison.OrdinalIgnoreCase)) return p[3..];
        }
        return dn;
    }
}
