using System.Reflection;
using Certification.Api.Options;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Internal;

namespace Certification.Api.Infrastructure;

/// <summary>
/// The database provider chosen by <c>Certification:Database:Provider</c>: <c>Sqlite</c> (default, a file under
/// the data directory unless <c>ConnectionStrings:Certification</c> is set) or <c>Postgres</c> (the connection
/// string is required). Each provider has its own migrations in this assembly, told apart by namespace:
/// <c>Infrastructure/Migrations</c> (SQLite) and <c>Infrastructure/Migrations/Postgres</c>.
/// </summary>
public static class DatabaseProviders
{
    public const string Sqlite = "Sqlite";
    public const string Postgres = "Postgres";
    public const string SqliteMigrationsNamespace = "Certification.Api.Infrastructure.Migrations";
    public const string PostgresMigrationsNamespace = "Certification.Api.Infrastructure.Migrations.Postgres";

    public static string Normalise(string? provider) => provider?.Trim().ToLowerInvariant() switch
    {
        null or "" or "sqlite" => Sqlite,
        "postgres" or "postgresql" or "npgsql" => Postgres,
        _ => throw new Microsoft.Extensions.Options.OptionsValidationException(CertificationOptions.Section, typeof(CertificationOptions),
            [$"Certification:Database:Provider '{provider}' is not supported (Sqlite or Postgres)."]),
    };

    public static DbContextOptionsBuilder Configure(DbContextOptionsBuilder db, string provider, string connectionString)
    {
        switch (Normalise(provider))
        {
            case Postgres:
                db.UseNpgsql(connectionString, o => o.CommandTimeout(60));
                break;
            default:
                db.UseSqlite(connectionString).AddInterceptors(SqlitePersistentWal.Instance);
                break;
        }
        db.ReplaceService<IMigrationsAssembly, ProviderMigrationsAssembly>();
        return db;
    }
}

/// <summary>Only the migrations (and the model snapshot) of the active provider: both sets live in this
/// assembly for the same context type, each in its own namespace.</summary>
#pragma warning disable EF1001 // MigrationsAssembly is internal API; its shape is stable and this is the documented way to split migrations.
public sealed class ProviderMigrationsAssembly(
    ICurrentDbContext currentContext,
    IDbContextOptions options,
    IMigrationsIdGenerator idGenerator,
    IDiagnosticsLogger<DbLoggerCategory.Migrations> logger)
    : MigrationsAssembly(currentContext, options, idGenerator, logger)
{
    private readonly string _namespace = currentContext.Context.Database.ProviderName == "Npgsql.EntityFrameworkCore.PostgreSQL"
        ? DatabaseProviders.PostgresMigrationsNamespace
        : DatabaseProviders.SqliteMigrationsNamespace;
    private readonly Type _contextType = currentContext.Context.GetType();
    private IReadOnlyDictionary<string, TypeInfo>? _migrations;
    private ModelSnapshot? _snapshot;
    private bool _snapshotRead;

    public override IReadOnlyDictionary<string, TypeInfo> Migrations =>
        _migrations ??= base.Migrations.Where(m => m.Value.Namespace == _namespace)
            .ToDictionary(m => m.Key, m => m.Value).AsReadOnly();

    public override ModelSnapshot? ModelSnapshot
    {
        get
        {
            if (_snapshotRead) return _snapshot;
            _snapshot = Assembly.GetTypes()
                .Where(t => t.IsSubclassOf(typeof(ModelSnapshot)) && t.Namespace == _namespace && !t.IsAbstract
                            && t.GetCustomAttribute<DbContextAttribute>()?.ContextType == _contextType)
                .Select(t => (ModelSnapshot)Activator.CreateInstance(t)!).FirstOrDefault();
            _snapshotRead = true;
            return _snapshot;
        }
    }
}
#pragma warning restore EF1001
