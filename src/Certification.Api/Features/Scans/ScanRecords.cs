using System.Security.Cryptography;
using System.Text.Json;
using Certification.Api.Domain;
using Certification.Api.Features.Certifications;
using Certification.Api.Infrastructure;
using Certification.Api.Options;
using Certification.Signing.Documents;
using Certification.Signing.Documents.Reading;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Certification.Api.Features.Scans;

/// <summary>
/// What the service keeps of a read scan: the inspection (measures, proposals, duplicates) until the scans are
/// certified and then with the request, and each certified page's perceptual hash, searched for the same original
/// brought again in the office (or province, <c>Reading:Duplicates:Scope</c>).
/// </summary>
public sealed class ScanRecords(CertificationDbContext db, IOptions<CertificationOptions> options, TimeProvider clock)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>SHA-256 over the files' SHA-256s in order: one name for one upload of scans.</summary>
    public static string ScansSha256(IReadOnlyList<ScanFile> files)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in files) hash.AppendData(SHA256.HashData(file.Content.Span));
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    public async Task SaveInspectionAsync(Officer officer, IReadOnlyList<ScanFile> files, ScanInspectionResponse report, CancellationToken ct)
    {
        db.ScanInspections.Add(new ScanInspection
        {
            Id = Guid.CreateVersion7(), OfficeId = officer.OfficeId!.Value, InspectedById = officer.Id, InspectedAt = clock.GetUtcNow(),
            ScansSha256 = ScansSha256(files), Report = JsonSerializer.Serialize(report, Json),
        });
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Adds (to the caller's unit of work) the copy's page fingerprints, and links the latest inspection of the
    /// same scans in the office to the request and document.</summary>
    public async Task AttachAsync(AcceptedUpload upload, RequestDocument document, CertifiedCopy copy, CancellationToken ct)
    {
        var office = upload.Certifier.Office;
        foreach (var page in upload.Quality.OfType<PageQuality>())
            db.CopyPageFingerprints.Add(new CopyPageFingerprint
            {
                CertifiedCopyId = copy.Id, OfficeId = office.Id, ProvinceId = office.ProvinceId, Page = page.Page, Hash = page.Hash.ToString(),
            });
        var sha = ScansSha256(upload.Command.Files);
        var inspection = await db.ScanInspections.Where(i => i.OfficeId == office.Id && i.ScansSha256 == sha && i.DocumentId == null)
            .OrderByDescending(i => i.InspectedAt).FirstOrDefaultAsync(ct);
        if (inspection is null) return;
        inspection.RequestId = upload.Request.Request.Id;
        inspection.DocumentId = document.Id;
    }

    /// <summary>Valid copies of the office (or its province) with a page within the configured distance of one of these pages.</summary>
    public async Task<IReadOnlyList<DuplicateResponse>> DuplicatesAsync(Office office, IReadOnlyList<PageQuality?> pages, CancellationToken ct)
    {
        var hashes = pages.OfType<PageQuality>().Select(p => p.Hash).ToList();
        if (hashes.Count == 0) return [];
        var duplicates = options.Value.Reading.Duplicates;
        var byProvince = string.Equals(duplicates.Scope, "Province", StringComparison.OrdinalIgnoreCase);
        var candidates = db.CopyPageFingerprints.AsNoTracking().Where(f => byProvince ? f.ProvinceId == office.ProvinceId : f.OfficeId == office.Id);
        // Hamming distance is computed here: 64 hex digits a page, a few MB for a year of a busy office.
        var matching = new HashSet<Guid>();
        await foreach (var f in candidates.Select(f => new { f.CertifiedCopyId, f.Hash }).AsAsyncEnumerable().WithCancellation(ct))
        {
            var stored = PerceptualHash.Parse(f.Hash);
            if (hashes.Any(h => h.Distance(stored) <= duplicates.MaxDistance)) matching.Add(f.CertifiedCopyId);
        }
        if (matching.Count == 0) return [];
        var copies = await db.CertifiedCopies.AsNoTracking().Include(c => c.Book)
            .Where(c => matching.Contains(c.Id) && c.Status == CertificationStatus.Valid).ToListAsync(ct);
        return copies.OrderByDescending(c => c.IssuedAt).Select(c => new DuplicateResponse(c.Id, c.Number, c.Book!.Label, c.Date)).ToList();
    }
}
