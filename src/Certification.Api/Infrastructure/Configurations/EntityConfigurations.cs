using Certification.Api.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Certification.Api.Infrastructure.Configurations;

internal sealed class ProvinceConfiguration : IEntityTypeConfiguration<Province>
{
    public void Configure(EntityTypeBuilder<Province> b)
    {
        b.HasIndex(p => p.Code).IsUnique();
        b.Property(p => p.Code).HasMaxLength(16);
        b.Property(p => p.Name).HasMaxLength(200);
    }
}

internal sealed class OfficeConfiguration : IEntityTypeConfiguration<Office>
{
    public void Configure(EntityTypeBuilder<Office> b)
    {
        b.HasIndex(o => o.Code).IsUnique();
        b.Property(o => o.Code).HasMaxLength(32);
        b.Property(o => o.Name).HasMaxLength(300);
        b.Property(o => o.Kind).HasConversion<string>().HasMaxLength(32);
        b.HasOne(o => o.Province).WithMany().HasForeignKey(o => o.ProvinceId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class OfficerConfiguration : IEntityTypeConfiguration<Officer>
{
    public void Configure(EntityTypeBuilder<Officer> b)
    {
        b.HasIndex(o => o.UserName).IsUnique();
        b.Property(o => o.UserName).HasMaxLength(100);
        b.Property(o => o.FullName).HasMaxLength(200);
        b.Property(o => o.Title).HasMaxLength(200);
        b.HasOne(o => o.Office).WithMany().HasForeignKey(o => o.OfficeId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class AuthorisationConfiguration : IEntityTypeConfiguration<Authorisation>
{
    public void Configure(EntityTypeBuilder<Authorisation> b)
    {
        b.HasOne(a => a.Officer).WithMany().HasForeignKey(a => a.OfficerId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Office>().WithMany().HasForeignKey(a => a.OfficeId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(a => new { a.OfficerId, a.OfficeId });
    }
}

internal sealed class SigningIdentityConfiguration : IEntityTypeConfiguration<SigningIdentity>
{
    public void Configure(EntityTypeBuilder<SigningIdentity> b)
    {
        b.Property(s => s.Kind).HasConversion<string>().HasMaxLength(16);
        b.HasOne<Office>().WithMany().HasForeignKey(s => s.OfficeId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Officer>().WithMany().HasForeignKey(s => s.OfficerId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(s => new { s.OfficeId, s.OfficerId });
    }
}

internal sealed class ApiClientConfiguration : IEntityTypeConfiguration<ApiClient>
{
    public void Configure(EntityTypeBuilder<ApiClient> b)
    {
        b.HasIndex(c => c.KeyHash).IsUnique();
        b.Property(c => c.KeyHash).HasMaxLength(64);
    }
}

internal sealed class CertificationBookConfiguration : IEntityTypeConfiguration<CertificationBook>
{
    public void Configure(EntityTypeBuilder<CertificationBook> b)
    {
        b.Ignore(x => x.Label);
        b.Property(x => x.BookType).HasMaxLength(32);
        b.HasOne(x => x.Office).WithMany().HasForeignKey(x => x.OfficeId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(x => new { x.OfficeId, x.BookType, x.Year, x.Volume }).IsUnique();
        // Optimistic guard for the number allocation (UPDATE ... WHERE LastNumber = expected).
        b.Property(x => x.LastNumber).IsConcurrencyToken();
    }
}

internal sealed class CertificationRequestConfiguration : IEntityTypeConfiguration<CertificationRequest>
{
    public void Configure(EntityTypeBuilder<CertificationRequest> b)
    {
        b.Property(r => r.RequesterName).HasMaxLength(200);
        b.Property(r => r.RequesterIdNumber).HasMaxLength(32);
        // A signed-in citizen's copies are found by their ID number, across offices.
        b.HasIndex(r => r.RequesterIdNumber);
        b.HasMany(r => r.Documents).WithOne(d => d.Request).HasForeignKey(d => d.RequestId);
        b.HasOne<Office>().WithMany().HasForeignKey(r => r.OfficeId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class RequestDocumentConfiguration : IEntityTypeConfiguration<RequestDocument>
{
    public void Configure(EntityTypeBuilder<RequestDocument> b)
    {
        b.Property(d => d.Title).HasMaxLength(300);
        b.Property(d => d.Status).HasConversion<string>().HasMaxLength(32);
    }
}

internal sealed class CertifiedCopyConfiguration : IEntityTypeConfiguration<CertifiedCopy>
{
    public void Configure(EntityTypeBuilder<CertifiedCopy> b)
    {
        b.Property(c => c.Status).HasConversion<string>().HasMaxLength(32);
        b.Property(c => c.Sha256).HasMaxLength(64);
        b.Property(c => c.AccessCodeHash).HasMaxLength(64);
        b.Property(c => c.Level).HasMaxLength(8);
        // One number per book, never twice.
        // Unique among book entries; a copy awaiting its external signature holds only a tentative number.
        b.HasIndex(c => new { c.BookId, c.Number }).IsUnique().HasFilter("\"Status\" <> 'AwaitingSignature'");
        b.HasIndex(c => c.Sha256);
        b.HasIndex(c => c.AccessCodeHash).IsUnique();
        b.HasIndex(c => c.DocumentId).IsUnique();
        // The archive job asks for valid copies whose protection ends soon, without reading any PDF.
        b.HasIndex(c => new { c.Status, c.ProtectedUntil });
        b.HasOne(c => c.Book).WithMany().HasForeignKey(c => c.BookId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne(c => c.Office).WithMany().HasForeignKey(c => c.OfficeId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne(c => c.Certifier).WithMany().HasForeignKey(c => c.CertifierId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne(c => c.Document).WithMany().HasForeignKey(c => c.DocumentId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class ArchiveExtensionConfiguration : IEntityTypeConfiguration<ArchiveExtension>
{
    public void Configure(EntityTypeBuilder<ArchiveExtension> b)
    {
        b.Property(e => e.PreviousSha256).HasMaxLength(64);
        b.Property(e => e.Sha256).HasMaxLength(64);
        b.HasOne<CertifiedCopy>().WithMany().HasForeignKey(e => e.CertifiedCopyId).OnDelete(DeleteBehavior.Restrict);
        // Two nodes extending the same version cannot both record it.
        b.HasIndex(e => new { e.CertifiedCopyId, e.Sequence }).IsUnique();
        // The registry recognises earlier versions a citizen may hold.
        b.HasIndex(e => e.PreviousSha256);
        b.HasIndex(e => new { e.PreviousRemovedAt, e.ExtendedAt });
    }
}

internal sealed class RefusalConfiguration : IEntityTypeConfiguration<Refusal>
{
    public void Configure(EntityTypeBuilder<Refusal> b)
    {
        b.Property(r => r.Reason).HasConversion<string>().HasMaxLength(40);
        b.Property(r => r.Text).HasMaxLength(2000);
        b.HasOne(r => r.Document).WithMany().HasForeignKey(r => r.DocumentId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class RevocationConfiguration : IEntityTypeConfiguration<Revocation>
{
    public void Configure(EntityTypeBuilder<Revocation> b)
    {
        b.Property(r => r.Reason).HasMaxLength(2000);
        b.HasOne<CertifiedCopy>().WithMany().HasForeignKey(r => r.CertifiedCopyId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(r => r.CertifiedCopyId).IsUnique();
    }
}

internal sealed class ExternalSigningSessionConfiguration : IEntityTypeConfiguration<ExternalSigningSession>
{
    public void Configure(EntityTypeBuilder<ExternalSigningSession> b)
    {
        b.HasOne<CertifiedCopy>().WithMany().HasForeignKey(s => s.CertifiedCopyId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(s => s.ExpiresAt);
    }
}

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> b)
    {
        // The sequence number is assigned by the audit trail, not the database, so the hash can cover it.
        b.Property(a => a.Id).ValueGeneratedNever();
        b.Property(a => a.Actor).HasMaxLength(200);
        b.Property(a => a.Address).HasMaxLength(64);
        b.Property(a => a.Action).HasMaxLength(64);
        b.Property(a => a.Subject).HasMaxLength(200);
        b.Property(a => a.PreviousHash).HasMaxLength(64);
        b.Property(a => a.Hash).HasMaxLength(64);
        // A citizen reads the fetches of their shares by subject.
        b.HasIndex(a => a.Subject);
    }
}

internal sealed class CopyShareConfiguration : IEntityTypeConfiguration<CopyShare>
{
    public void Configure(EntityTypeBuilder<CopyShare> b)
    {
        b.Property(s => s.Purpose).HasMaxLength(500);
        b.Property(s => s.TokenHash).HasMaxLength(64);
        b.Property(s => s.CreatedBy).HasMaxLength(200);
        b.HasIndex(s => s.TokenHash).IsUnique();
        b.HasIndex(s => s.CertifiedCopyId);
        b.HasIndex(s => s.ApiClientId);
        b.HasOne(s => s.Copy).WithMany().HasForeignKey(s => s.CertifiedCopyId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne(s => s.ApiClient).WithMany().HasForeignKey(s => s.ApiClientId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class OutboxEventConfiguration : IEntityTypeConfiguration<OutboxEvent>
{
    public void Configure(EntityTypeBuilder<OutboxEvent> b)
    {
        b.Property(e => e.Id).ValueGeneratedNever();
        b.Property(e => e.Type).HasMaxLength(32);
    }
}

internal sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> b)
    {
        b.Property(d => d.Subscriber).HasMaxLength(100);
        b.Property(d => d.Status).HasConversion<string>().HasMaxLength(16);
        b.Property(d => d.LastError).HasMaxLength(500);
        b.HasOne(d => d.Event).WithMany().HasForeignKey(d => d.EventId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(d => new { d.EventId, d.Subscriber }).IsUnique();
        // The dispatcher asks for due pending deliveries; the administrator for dead letters.
        b.HasIndex(d => new { d.Status, d.NextAttemptAt });
    }
}

internal sealed class ScanInspectionConfiguration : IEntityTypeConfiguration<ScanInspection>
{
    public void Configure(EntityTypeBuilder<ScanInspection> b)
    {
        b.Property(e => e.ScansSha256).HasMaxLength(64);
        b.HasOne<Office>().WithMany().HasForeignKey(e => e.OfficeId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<CertificationRequest>().WithMany().HasForeignKey(e => e.RequestId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<RequestDocument>().WithMany().HasForeignKey(e => e.DocumentId).OnDelete(DeleteBehavior.Restrict);
        // Certifying finds the latest inspection of the same scans in the office.
        b.HasIndex(e => new { e.OfficeId, e.ScansSha256 });
    }
}

internal sealed class CopyPageFingerprintConfiguration : IEntityTypeConfiguration<CopyPageFingerprint>
{
    public void Configure(EntityTypeBuilder<CopyPageFingerprint> b)
    {
        b.Property(e => e.Hash).HasMaxLength(64);
        b.HasOne<CertifiedCopy>().WithMany().HasForeignKey(e => e.CertifiedCopyId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(e => new { e.CertifiedCopyId, e.Page }).IsUnique();
        b.HasIndex(e => e.OfficeId);
        b.HasIndex(e => e.ProvinceId);
    }
}

internal sealed class KeyCheckConfiguration : IEntityTypeConfiguration<KeyCheck>
{
    public void Configure(EntityTypeBuilder<KeyCheck> b)
    {
        b.HasKey(k => k.Setting);
        b.Property(k => k.Setting).HasMaxLength(100);
        b.Property(k => k.Value).HasMaxLength(64);
    }
}
