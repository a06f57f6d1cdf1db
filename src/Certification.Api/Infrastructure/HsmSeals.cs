using System.Text;
using Certification.Api.Domain;
using Certification.Api.Features.Audit;
using Certification.Api.Options;
using Certification.Signing.Cms;
using Microsoft.EntityFrameworkCore;
using Org.BouncyCastle.Utilities.IO.Pem;

namespace Certification.Api.Infrastructure;

/// <summary>
/// Registers the office seals configured under <c>Certification:Hsm:OfficeSeals</c>: at start, each entry's key is
/// looked up on its token (the certificate chain is read from the token; the key never leaves it) and becomes
/// the office's active seal identity (PKCS#11 kind, naming the configuration setting that holds the PIN, never
/// the PIN itself). Earlier seals of that office are deactivated; an unchanged entry is left as it is.
/// </summary>
public static class HsmSeals
{
    public static async Task RegisterAsync(CertificationDbContext db, AuditTrail audit, CertificationOptions options, ILogger log, CancellationToken ct)
    {
        for (var i = 0; i < options.Hsm.OfficeSeals.Count; i++)
        {
            var seal = options.Hsm.OfficeSeals[i];
            var pinSetting = $"{CertificationOptions.Section}:Hsm:OfficeSeals:{i}:Pin";
            if (string.IsNullOrWhiteSpace(seal.OfficeCode) || string.IsNullOrWhiteSpace(seal.Module) || string.IsNullOrWhiteSpace(seal.TokenLabel)
                || string.IsNullOrWhiteSpace(seal.KeyLabel) || string.IsNullOrEmpty(seal.Pin))
                throw new InvalidOperationException($"Certification:Hsm:OfficeSeals:{i} needs OfficeCode, Module, TokenLabel, KeyLabel and Pin.");
            var office = await db.Offices.AsNoTracking().SingleOrDefaultAsync(o => o.Code == seal.OfficeCode, ct)
                         ?? throw new InvalidOperationException($"Certification:Hsm:OfficeSeals:{i}: no office with code {seal.OfficeCode}.");
            var current = await db.SigningIdentities.AsNoTracking()
                .Where(s => s.OfficeId == office.Id && s.OfficerId == null && s.Active && s.Kind != SigningKeyKind.External)
                .OrderByDescending(s => s.Id).FirstOrDefaultAsync(ct);
            if (current is { Kind: SigningKeyKind.Pkcs11 } && current.Pkcs11Module == seal.Module && current.Pkcs11TokenLabel == seal.TokenLabel
                && current.Pkcs11KeyLabel == seal.KeyLabel && current.Pkcs11PinSetting == pinSetting)
                continue;

            string chainPem;
            DateTimeOffset notAfter;
            string subject;
            using (var key = Pkcs11SigningKey.Open(new Pkcs11KeyOptions(seal.Module, seal.TokenLabel, seal.KeyLabel), seal.Pin))
            {
                var builder = new StringBuilder();
                using (var writer = new StringWriter(builder))
                {
                    var pem = new PemWriter(writer);
                    foreach (var certificate in key.CertificateChain) pem.WriteObject(new PemObject("CERTIFICATE", certificate.GetEncoded()));
                }
                chainPem = builder.ToString();
                notAfter = new DateTimeOffset(key.CertificateChain[0].NotAfter.ToUniversalTime(), TimeSpan.Zero);
                subject = key.CertificateChain[0].SubjectDN.ToString();
            }

            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await db.SigningIdentities.Where(s => s.OfficeId == office.Id && s.OfficerId == null && s.Active)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.Active, false), ct);
            var identity = new SigningIdentity
            {
                OfficeId = office.Id,
                Kind = SigningKeyKind.Pkcs11,
                SubjectName = subject,
                CertificateChainPem = chainPem,
                NotAfter = notAfter,
                Pkcs11Module = seal.Module,
                Pkcs11TokenLabel = seal.TokenLabel,
                Pkcs11KeyLabel = seal.KeyLabel,
                Pkcs11PinSetting = pinSetting,
            };
            db.SigningIdentities.Add(identity);
            await audit.AppendAsync("signing-identity.registered", $"office:{office.Code}",
                new { kind = "pkcs11", token = seal.TokenLabel, key = seal.KeyLabel, subject, notAfter }, actor: "system", ct: ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            log.LogInformation("Office {Office} seals with the PKCS#11 key {Key} on token {Token} ({Subject})", office.Code, seal.KeyLabel, seal.TokenLabel, subject);
        }
    }
}
