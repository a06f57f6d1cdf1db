using Certification.Api.Domain;
using Certification.Api.Features.Refusals;
using Certification.Api.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Certification.Api.Pages.Console;

public sealed record ReasonOption(string Code, string Text);

/// <summary>
/// A new certification: scans are dropped, uploaded with progress and checked by the service's intake
/// (<c>/console/scans/preview</c>), every page is previewed, then the page posts the same form to
/// <c>POST /api/v1/certifications</c> (one step) or <c>POST /api/v1/signing-sessions</c> (the officer's key is on a
/// device: the page shows "approve on your device" and follows the reserved number) or <c>POST /api/v1/remote-signings</c>
/// (a remote signing account: "approve on your phone" with the provider's request, a countdown and cancel) or refuses with an Art. 22 ground.
/// </summary>
public sealed class NewModel(CertificationDbContext db, Features.Certifications.RemoteCredentials remote) : ConsolePage
{
    public override string Title => T("new.title");
    public Officer? Officer { get; private set; }
    public bool TwoStep { get; private set; }

    /// <summary>The officer signs with a remote signing account: the request goes to the provider and the officer
    /// approves on the phone (<c>POST /api/v1/remote-signings</c>).</summary>
    public bool Remote { get; private set; }
    public List<ReasonOption> Reasons { get; private set; } = [];

    private static readonly Dictionary<RefusalReason, (string Vi, string En)> ReasonTexts = new()
    {
        [RefusalReason.Altered] = ("Bản chính bị tẩy xóa, sửa chữa, thêm, bớt nội dung", "The original was erased, altered, added to or cut"),
        [RefusalReason.Illegible] = ("Bản chính bị hư hỏng, cũ nát, không xác định được nội dung", "The original is damaged or worn and cannot be read"),
        [RefusalReason.ConfidentialOrCopyProhibited] = ("Bản chính đóng dấu mật hoặc ghi không được sao chụp", "Stamped confidential, or copying is prohibited"),
        [RefusalReason.UnlawfulContent] = ("Nội dung trái pháp luật, đạo đức xã hội", "Unlawful or unethical content"),
        [RefusalReason.ForeignNotLegalised] = ("Giấy tờ nước ngoài chưa được hợp pháp hóa lãnh sự", "Foreign document without consular legalisation"),
        [RefusalReason.UnconfirmedPrivateDocument] = ("Giấy tờ cá nhân tự lập, không có xác nhận của cơ quan có thẩm quyền", "Private document without confirmation by a competent body"),
        [RefusalReason.OutsideCompetence] = ("Không thuộc thẩm quyền chứng thực", "Outside the certifier's competence"),
        [RefusalReason.InvalidRequest] = ("Yêu cầu không hợp lệ", "The request is not valid"),
    };

    public async Task OnGetAsync(CancellationToken ct)
    {
        Officer = await db.Officers.AsNoTracking().Include(o => o.Office).SingleOrDefaultAsync(o => o.Id == OfficerId, ct);
        Remote = Officer is not null && remote.OfficerCredential(Officer) is not null;
        TwoStep = !Remote && await db.SigningIdentities.AsNoTracking()
            .Where(s => s.OfficerId == OfficerId && s.Active).OrderByDescending(s => s.Id).Select(s => s.Kind).FirstOrDefaultAsync(ct) == SigningKeyKind.External;
        Reasons = ReasonTexts.Select(r => new ReasonOption(RefusalsApi.Code(r.Key),
            ((int)r.Key <= 6 ? (English ? $"Art. 22({(int)r.Key}): " : $"Điều 22 khoản {(int)r.Key}: ") : "") + (English ? r.Value.En : r.Value.Vi))).ToList();
    }
}
