using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Certification.Api.Infrastructure;

/// <summary>For <c>dotnet ef migrations add</c>: the SQLite model without starting the service.</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<CertificationDbContext>
{
    public CertificationDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<CertificationDbContext>().UseSqlite("Data Source=design-time.db").Options);
}
