using Certification.Api.Options;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Certification.Api.Infrastructure;

/// <summary>The blob store chosen by <c>Certification:Blobs:Provider</c>: <c>FileSystem</c> (default) or <c>Postgres</c>.</summary>
public static class BlobStores
{
    public const string FileSystem = "FileSystem";
    public const string Postgres = "Postgres";

    public static string Normalise(string? provider) => provider?.Trim().ToLowerInvariant() switch
    {
        null or "" or "filesystem" or "file" => FileSystem,
        "postgres" or "postgresql" => Postgres,
        _ => throw new OptionsValidationException(CertificationOptions.Section, typeof(CertificationOptions),
            [$"Certification:Blobs:Provider '{provider}' is not supported (FileSystem or Postgres)."]),
    };

    public static IBlobStore Create(CertificationOptions options, IConfiguration configuration, DataDirectory data)
    {
        if (Normalise(options.Blobs.Provider) == Postgres)
        {
            var connection = configuration.GetConnectionString("CertificationBlobs") ?? configuration.GetConnectionString("Certification");
            if (string.IsNullOrWhiteSpace(connection))
                throw new OptionsValidationException(CertificationOptions.Section, typeof(CertificationOptions),
                    ["Certification:Blobs:Provider=Postgres needs ConnectionStrings:CertificationBlobs or ConnectionStrings:Certification."]);
            return new PostgresBlobStore(connection);
        }
        return new FileSystemBlobStore(string.IsNullOrWhiteSpace(options.Blobs.Path) ? data.Blobs : Path.GetFullPath(options.Blobs.Path));
    }

    public static TimeSpan OrphanGracePeriod(CertificationOptions options) =>
        options.Blobs.OrphanGracePeriod ?? (Normalise(options.Blobs.Provider) == Postgres || DatabaseProviders.Normalise(options.Database.Provider) == DatabaseProviders.Postgres
            ? TimeSpan.FromMinutes(10)
            : TimeSpan.Zero);

    /// <summary>Every blob a row refers to: stored copies, copies awaiting their external signature, and versions
    /// before an archive extension until the archive job removes them (Archive:KeepPreviousVersionsFor). Whatever
    /// else is stored is an orphan (the startup sweep, the consistency check).</summary>
    public static async Task<HashSet<string>> ReferencedAsync(CertificationDbContext db, CancellationToken ct) =>
        (await db.CertifiedCopies.AsNoTracking().Where(c => c.Sha256 != null).Select(c => c.Sha256!).ToListAsync(ct))
        .Concat(await db.ExternalSigningSessions.AsNoTracking().Select(s => s.PreparedSha256).ToListAsync(ct))
        .Concat(await db.ArchiveExtensions.AsNoTracking().Where(e => e.PreviousRemovedAt == null).Select(e => e.PreviousSha256).ToListAsync(ct))
        .ToHashSet(StringComparer.Ordinal);
}
