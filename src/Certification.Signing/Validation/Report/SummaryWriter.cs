using System.Text;
using Certification.Signing.Validation.Checks;
using Certification.Signing.Validation.Facts;
using Certification.Signing.Validation.Modifications;

namespace Certification.Signing.Validation.Report;

/// <summary>
/// The plain summary an officer reads: who signed, when (proven by a timestamp or only claimed), whether
/// the signed content is intact, whether the signer is trusted, whether the certificate is still valid,
/// and what changed since. Vietnamese first (NFC), then English. Times are shown in Vietnam time (UTC+7).
/// </summary>
public static class SummaryWriter
{
    private static readonly TimeSpan VietnamOffset = TimeSpan.FromHours(7);

    public static Summary Write(SignatureFacts s, SignatureReport report)
    {
        var vi = new List<string>();
        var en = new List<string>();
        var certificate = s.Cms?.SignerCertificate ?? s.Pkcs1?.Certificate ?? s.DocumentTimestamp?.TsaCertificate;
        var who = certificate is null ? null : Describe(certificate);
        bool Failed(string name) => report.Checks.Any(c => c.Name == name && c.Result == CheckResult.Failed);
        bool NotPassed(string name) => report.Checks.Any(c => c.Name == name && c.Result != CheckResult.Passed);
        string? Message(string name) => report.Checks.FirstOrDefault(c => c.Name == name && c.Result != CheckResult.Passed)?.Message;

        // Who
        if (s.IsDocumentTimestamp)
        {
            vi.Add($"Dấu thời gian tài liệu{(who is null ? "" : $" do {who} cấp")}.");
            en.Add($"Document timestamp{(who is null ? "" : $" issued by {who}")}.");
        }
        else if (who is null)
        {
            vi.Add("Không xác định được người ký.");
            en.Add("The signer cannot be identified.");
        }
        else
        {
            vi.Add($"Người ký: {who}.");
            en.Add($"Signed by {who}.");
        }

        // When
        if (s.IsDocumentTimestamp && s.DocumentTimestamp is { } dts)
        {
            vi.Add($"Thời điểm: {Time(dts.GenTime)}{(dts.Trusted ? " (do tổ chức cấp dấu thời gian được tin cậy xác nhận)" : " (tổ chức cấp dấu thời gian chưa được tin cậy)")}.");
            en.Add($"Time: {Time(dts.GenTime)}{(dts.Trusted ? " (from a trusted timestamp authority)" : " (the timestamp authority is not trusted)")}.");
        }
        else if (s.ProvenTime is { } proven)
        {
            vi.Add($"Thời điểm ký được chứng minh bằng dấu thời gian: trước {Time(proven)}{(s.ClaimedSigningTime is { } c1 ? $" (người ký khai {Time(c1)})" : "")}.");
            en.Add($"Signing time proven by a timestamp: no later than {Time(proven)}{(s.ClaimedSigningTime is { } c2 ? $" (the signer claims {Time(c2)})" : "")}.");
        }
        else if (s.ClaimedSigningTime is { } claimed)
        {
            vi.Add($"Thời điểm ký do người ký tự khai: {Time(claimed)} (không có dấu thời gian chứng minh).");
            en.Add($"Signing time claimed by the signer: {Time(claimed)} (not proven by a timestamp).");
        }
        else
        {
            vi.Add("Không có thông tin về thời điểm ký.");
            en.Add("No signing time is given.");
        }

        // Intact
        var integrityChecks = new[] { "readable", "byteRange", "contentsPlacement", "coverage", "containerFormat", "digest", "signatureValue" };
        var broken = integrityChecks.FirstOrDefault(Failed);
        if (broken is null)
        {
            vi.Add(s.Coverage == Coverage.EntireFile
                ? "Nội dung đã ký còn nguyên vẹn và chữ ký bao trùm toàn bộ tệp."
                : "Nội dung đã ký (phiên bản tại thời điểm ký) còn nguyên vẹn.");
            en.Add(s.Coverage == Coverage.EntireFile
                ? "The signed content is intact and the signature covers the whole file."
                : "The signed content (the version as signed) is intact.");
        }
        else
        {
            vi.Add($"CHỮ KÝ KHÔNG TOÀN VẸN: nội dung đã bị sửa hoặc chữ ký bị làm giả ({Message(broken)}).");
            en.Add($"THE SIGNATURE IS BROKEN: the content was altered or the signature forged ({Message(broken)}).");
        }

        // Trusted
        if (s.Path is { Trusted: true } && !NotPassed("chainConstraints") && !NotPassed("signingCertificate") && !NotPassed("trustedServiceStatus"))
        {
            vi.Add("Chứng thư số dẫn đến một tổ chức chứng thực gốc được tin cậy.");
            en.Add("The certificate chains to a trusted root.");
        }
        else if (s.Path is not null || certificate is not null)
        {
            var why = Message("certificateChain") ?? Message("trustedServiceStatus") ?? Message("chainConstraints") ?? Message("signingCertificate") ?? "";
            vi.Add($"Không xác lập được độ tin cậy của chứng thư số ({why}).");
            en.Add($"The certificate is not trusted ({why}).");
        }

        // Still valid
        if (s.Path is { Trusted: true })
        {
            if (Failed("revocation"))
            {
                vi.Add($"Chứng thư số ĐÃ BỊ THU HỒI ({Message("revocation")}).");
                en.Add($"The certificate was REVOKED ({Message("revocation")}).");
            }
            else if (NotPassed("certificateValidity"))
            {
                vi.Add($"Chứng thư số không còn hiệu lực tại thời điểm cần xét ({Message("certificateValidity")}).");
                en.Add($"The certificate was not valid at the relevant time ({Message("certificateValidity")}).");
            }
            else if (NotPassed("revocation"))
            {
                vi.Add("Chứng thư số còn hạn, nhưng chưa kiểm tra được tình trạng thu hồi (cần dữ liệu thu hồi hoặc kiểm tra trực tuyến).");
                en.Add("The certificate is within its validity period, but its revocation status could not be checked.");
            }
            else if (s.Path.Revocation.All(r => r.Status == RevocationStatus.NotApplicable))
            {
                vi.Add($"Chứng thư số còn hiệu lực tại {Time(s.BestSignatureTime)} (chứng thư không nêu dịch vụ kiểm tra thu hồi).");
                en.Add($"The certificate was valid at {Time(s.BestSignatureTime)} (it names no revocation service to check).");
            }
            else
            {
                vi.Add($"Chứng thư số còn hiệu lực và không bị thu hồi tại {Time(s.BestSignatureTime)}.");
                en.Add($"The certificate was valid and not revoked at {Time(s.BestSignatureTime)}.");
            }
        }

        // Changes since
        var level = report.ModificationsAfterSigning;
        var first = s.Modifications.Where(m => m.Kind == level).Select(m => m.Message).FirstOrDefault();
        var more = s.Modifications.Count(m => m.Kind >= ModificationKind.FormFilling);
        var detail = first is null ? "" : $": {first}{(more > 1 ? $" (+{more - 1})" : "")}";
        if (s.SignedRevision is null && broken is null && s.ByteRangeProblem is null)
        {
            vi.Add("Không xác định được phần tài liệu được ký.");
            en.Add("It cannot be determined which part of the document was signed.");
        }
        else
        {
            (string Vi, string En) change = level switch
            {
                ModificationKind.None => ("Không có thay đổi nào sau khi ký.", "Nothing was changed after signing."),
                ModificationKind.ValidationData => ("Sau khi ký chỉ bổ sung dữ liệu xác thực (DSS).", "Only validation data (DSS) was added after signing."),
                ModificationKind.SignaturesAndTimestamps => ("Sau khi ký chỉ thêm chữ ký, dấu thời gian hoặc dữ liệu xác thực.", "Only signatures, timestamps or validation data were added after signing."),
                ModificationKind.FormFilling => ($"Sau khi ký có điền biểu mẫu{detail}.", $"Form fields were filled in after signing{detail}."),
                ModificationKind.Annotations => ($"Sau khi ký có thêm hoặc sửa chú thích{detail}.", $"Annotations were added or changed after signing{detail}."),
                _ => ($"TÀI LIỆU ĐÃ BỊ THAY ĐỔI SAU KHI KÝ{detail}.", $"THE DOCUMENT WAS CHANGED AFTER SIGNING{detail}."),
            };
            vi.Add(change.Vi);
            en.Add(change.En);
        }

        // Other products' shapes
        if (report.Findings.Any(f => f.Code == Findings.NotPadesBaselineCode))
        {
            vi.Add($"Chữ ký dạng {s.SubFilter}, không phải chữ ký PAdES cơ bản (ETSI EN 319 142-1).");
            en.Add($"A {s.SubFilter} signature, not a PAdES baseline signature (ETSI EN 319 142-1).");
        }
        if (report.Findings.Any(f => f.Code == Findings.WeakAlgorithmCode))
        {
            vi.Add("Thuật toán yếu (SHA-1), không được chấp nhận theo Thông tư 15/2025/TT-BKHCN.");
            en.Add("Weak algorithm (SHA-1), not accepted under Circular 15/2025/TT-BKHCN.");
        }

        // Verdict
        vi.Add(report.Indication switch
        {
            Indication.TotalPassed => "Kết luận: HỢP LỆ.",
            Indication.TotalFailed => "Kết luận: KHÔNG HỢP LỆ.",
            _ => "Kết luận: CHƯA XÁC ĐỊNH ĐƯỢC (không đủ căn cứ để công nhận).",
        });
        en.Add(report.Indication switch
        {
            Indication.TotalPassed => "Verdict: VALID.",
            Indication.TotalFailed => "Verdict: INVALID.",
            _ => "Verdict: INDETERMINATE (not enough evidence to accept it).",
        });
        return new Summary(string.Join(" ", vi).Normalize(NormalizationForm.FormC), string.Join(" ", en));
    }

    private static string Describe(Org.BouncyCastle.X509.X509Certificate certificate)
    {
        var name = CertificateChainCheck.CommonName(certificate);
        var organisation = certificate.SubjectDN.GetValueList(Org.BouncyCastle.Asn1.X509.X509Name.O).FirstOrDefault();
        return organisation is null ? name : $"{name} ({organisation})";
    }

    private static string Time(DateTimeOffset time) => time.ToOffset(VietnamOffset).ToString("yyyy-MM-dd HH:mm:ss zzz", System.Globalization.CultureInfo.InvariantCulture);
}
