using Certification.Api.Domain;
using Certification.Api.Features.Audit;
using Certification.Api.Features.Auth;
using Certification.Api.Options;
using Certification.Signing.Pki;
using Microsoft.EntityFrameworkCore;

namespace Certification.Api.Infrastructure;

/// <summary>
/// Demo data (demo mode only, on an empty database): one province, one commune (ward), one notary office,
/// a historical district justice division (read-only since 1 July 2025), their officers and keys from the
/// development PKI, and one online-service API client. Credentials are documented in README.
/// </summary>
public static class DemoSeed
{
    public const string Password = "Demo@12345";
    public const string ApiKey = "demo-online-service-key";
    public const string CommuneCode = "DEMO-P01";
    public const string NotaryCode = "DEMO-VPCC01";
    public const string DistrictCode = "DEMO-PTP01";

    public static async Task SeedAsync(CertificationDbContext db, AuditTrail audit, TrustServices trust, KeyProtector protector, DataDirectory data,
        CertificationOptions options, TimeProvider clock, CancellationToken ct)
    {
        if (await db.Provinces.AnyAsync(ct)) return;
        var pki = trust.Pki ?? throw new InvalidOperationException("Demo data needs the development PKI.");
        var keyAlgorithm = Enum.Parse<KeyAlgorithm>(options.DemoSetup.KeyAlgorithm, ignoreCase: true);
        var notarySeal = pki.IssueLeaf(pki.PublicCa, new LeafRequest("notary-office", "Văn phòng công chứng Demo (DEVELOPMENT)")
            { Organization = "Văn phòng công chứng Demo (DEVELOPMENT)", KeyAlgorithm = keyAlgorithm });
        var token = pki.IssueLeaf(pki.GovernmentCa, new LeafRequest("officer-token", "Lê Văn Cường (DEVELOPMENT)")
            { Organization = "UBND phường Demo (DEVELOPMENT)", KeyAlgorithm = keyAlgorithm });
        // The external signer's key is not the service's: it is handed to the demo "token" as a file.
        File.WriteAllBytes(Path.Combine(data.Pki, "officer.token.p12"), token.ExportPkcs12(Password));

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var province = new Province { Code = "DEMO", Name = "Tỉnh Demo (DEVELOPMENT)" };
        db.Provinces.Add(province);
        var commune = new Office { Code = CommuneCode, Name = "UBND phường Demo (DEVELOPMENT)", Kind = OfficeKind.Commune, Province = province };
        var notary = new Office { Code = NotaryCode, Name = "Văn phòng công chứng Demo (DEVELOPMENT)", Kind = OfficeKind.NotaryOffice, Province = province };
        var district = new Office { Code = DistrictCode, Name = "Phòng Tư pháp huyện Demo (DEVELOPMENT)", Kind = OfficeKind.DistrictJusticeDivision,
            Province = province, ReadOnlySince = Office.DistrictsAbolished };
        db.Offices.AddRange(commune, notary, district);
        var hash = PasswordSignIn.Hash(Password);
        var admin = new Officer { UserName = "admin", FullName = "Quản trị hệ thống (DEVELOPMENT)", Title = "Quản trị viên", Roles = OfficerRoles.SystemAdmin, PasswordHash = hash };
        var communeOfficer = new Officer { UserName = "officer.commune", FullName = "Nguyễn Văn An (DEVELOPMENT)", Title = "Phó Chủ tịch UBND phường",
            Office = commune, Roles = OfficerRoles.Certifier | OfficerRoles.IntakeClerk, PasswordHash = hash };
        var notaryOfficer = new Officer { UserName = "officer.notary", FullName = "Trần Thị Bình (DEVELOPMENT)", Title = "Công chứng viên",
            Office = notary, Roles = OfficerRoles.Certifier | OfficerRoles.IntakeClerk | OfficerRoles.OfficeAdmin, PasswordHash = hash };
        var tokenOfficer = new Officer { UserName = "officer.token", FullName = "Lê Văn Cường (DEVELOPMENT)", Title = "Công chức Tư pháp - Hộ tịch",
            Office = commune, Roles = OfficerRoles.Certifier, PasswordHash = hash };
        db.Officers.AddRange(admin, communeOfficer, notaryOfficer, tokenOfficer);
        var extraNotaries = Enumerable.Range(2, options.DemoSetup.ExtraNotaryOffices).Select(i =>
        {
            var name = $"Văn phòng công chứng Demo {i} (DEVELOPMENT)";
            var office = new Office { Code = $"DEMO-VPCC{i:D2}", Name = name, Kind = OfficeKind.NotaryOffice, Province = province };
            var officer = new Officer { UserName = $"officer.notary{i}", FullName = $"Công chứng viên Demo {i} (DEVELOPMENT)", Title = "Công chứng viên",
                Office = office, Roles = OfficerRoles.Certifier | OfficerRoles.IntakeClerk, PasswordHash = hash };
            var seal = pki.IssueLeaf(pki.PublicCa, new LeafRequest($"notary-office-{i}", name) { Organization = name, KeyAlgorithm = keyAlgorithm });
            return (office, officer, seal);
        }).ToList();
        db.Offices.AddRange(extraNotaries.Select(n => n.office));
        db.Officers.AddRange(extraNotaries.Select(n => n.officer));
        await db.SaveChangesAsync(ct);

        var since = new DateOnly(2025, 7, 1);
        db.Authorisations.AddRange(
            new Authorisation { OfficeId = commune.Id, OfficerId = communeOfficer.Id, GrantedBy = "Chủ tịch UBND phường Demo", Reference = "Quyết định số 01/QĐ-UBND (DEVELOPMENT)", ValidFrom = since },
            new Authorisation { OfficeId = commune.Id, OfficerId = tokenOfficer.Id, GrantedBy = "Chủ tịch UBND phường Demo", Reference = "Quyết định số 02/QĐ-UBND (DEVELOPMENT)", ValidFrom = since });

        SigningIdentity Stored(IssuedCredential credential, Office office, Officer? officer)
        {
            var password = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
            return new SigningIdentity
            {
                OfficeId = office.Id, OfficerId = officer?.Id, Kind = SigningKeyKind.Pkcs12,
                SubjectName = credential.Certificate.SubjectDN.ToString(),
                CertificateChainPem = string.Concat(credential.Chain.Select(DevelopmentPki.Pem)),
                NotAfter = new DateTimeOffset(credential.Certificate.NotAfter, TimeSpan.Zero),
                ProtectedPkcs12 = SigningKeys.ProtectPkcs12(protector, credential.ExportPkcs12(password), password),
            };
        }
        db.SigningIdentities.AddRange(
            Stored(pki.Officer, commune, communeOfficer),
            Stored(pki.OfficeSeal, commune, null),
            Stored(pki.Notary, notary, notaryOfficer),
            Stored(notarySeal, notary, null),
            new SigningIdentity
            {
                OfficeId = commune.Id, OfficerId = tokenOfficer.Id, Kind = SigningKeyKind.External, SubjectName = token.Certificate.SubjectDN.ToString(),
                CertificateChainPem = string.Concat(token.Chain.Select(DevelopmentPki.Pem)), NotAfter = new DateTimeOffset(token.Certificate.NotAfter, TimeSpan.Zero),
            });
        // Each extra notary signs with the notary's development certificate (as in the first notary office) and its own seal.
        foreach (var (office, officer, seal) in extraNotaries)
            db.SigningIdentities.AddRange(Stored(pki.Notary, office, officer), Stored(seal, office, null));
        db.ApiClients.Add(new ApiClient { Name = "Cổng dịch vụ công Demo (DEVELOPMENT)", KeyHash = ApiKeyAuthenticationHandler.HashKey(ApiKey), CreatedAt = clock.GetUtcNow() });
        await db.SaveChangesAsync(ct);
        await audit.AppendAsync("system.seeded", "system", new { offices = new[] { CommuneCode, NotaryCode, DistrictCode }, officers = 4 }, actor: "system", ct: ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }
}
