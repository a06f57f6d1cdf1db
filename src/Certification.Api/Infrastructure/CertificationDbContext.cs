using Certification.Api.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Certification.Api.Infrastructure;

/// <summary>The registry. Provider-neutral: nothing here is SQLite-specific except the value conversions
/// SQLite needs to compare and order dates, applied only for that provider.</summary>
public sealed class CertificationDbContext(DbContextOptions<CertificationDbContext> options) : DbContext(options)
{
    public DbSet<Province> Provinces => Set<Province>();
    public DbSet<Office> Offices => Set<Office>();
    public DbSet<Officer> Officers => Set<Officer>();
    public DbSet<Authorisation> Authorisations => Set<Authorisation>();
    public DbSet<SigningIdentity> SigningIdentities => Set<SigningIdentity>();
    public DbSet<ApiClient> ApiClients => Set<ApiClient>();
    public DbSet<CertificationBook> Books => Set<CertificationBook>();
    public DbSet<CertificationRequest> Requests => Set<CertificationRequest>();
    public DbSet<RequestDocument> Documents => Set<RequestDocument>();
    public DbSet<CertifiedCopy> CertifiedCopies => Set<CertifiedCopy>();
    public DbSet<Refusal> Refusals => Set<Refusal>();
    public DbSet<Revocation> Revocations => Set<Revocation>();
    public DbSet<ExternalSigningSession> ExternalSigningSessions => Set<ExternalSigningSession>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<ArchiveExtension> ArchiveExtensions => Set<ArchiveExtension>();
    public DbSet<KeyCheck> KeyChecks => Set<KeyCheck>();
    public DbSet<CopyShare> CopyShares => Set<CopyShare>();
    public DbSet<OutboxEvent> OutboxEvents => Set<OutboxEvent>();
    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();
    public DbSet<ScanInspection> ScanInspections => Set<ScanInspection>();
    public DbSet<CopyPageFingerprint> CopyPageFingerprints => Set<CopyPageFingerprint>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(CertificationDbContext).Assembly);

    protected override void ConfigureConventions(ModelConfigurationBuilder builder)
    {
        if (Database.IsSqlite())
        {
            // SQLite stores DateTimeOffset as text and cannot compare or order it; store UTC ticks instead.
            builder.Properties<DateTimeOffset>().HaveConversion<UtcTicksConverter>();
            builder.Properties<DateTimeOffset?>().HaveConversion<UtcTicksConverter>();
        }
    }

    private sealed class UtcTicksConverter() : ValueConverter<DateTimeOffset, long>(
        v => v.UtcTicks, v => new DateTimeOffset(v, TimeSpan.Zero));
}
