using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Certification.Api.Infrastructure;

/// <summary>For <c>dotnet ef migrations add</c> without starting the service. The provider comes from the
/// environment: <c>Certification__Database__Provider=Postgres dotnet ef migrations add NAME
/// -o Infrastructure/Migrations/Postgres --namespace Certification.Api.Infrastructure.Migrations.Postgres</c>;
/// SQLite otherwise (output in Infrastructure/Migrations).</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<CertificationDbContext>
{
    public CertificationDbContext CreateDbContext(string[] args)
    {
        var provider = DatabaseProviders.Normalise(Environment.GetEnvironmentVariable("Certification__Database__Provider"));
        var connection = provider == DatabaseProviders.Postgres ? "Host=127.0.0.1;Database=design_time;Username=postgres" : "Data Source=design-time.db";
        return new(DatabaseProviders.Configure(new DbContextOptionsBuilder<CertificationDbContext>(), provider, connection).Options as DbContextOptions<CertificationDbContext>
                   ?? throw new InvalidOperationException());
    }
}
