using Certification.Api.Infrastructure;
using Certification.Api.Options;
using Certification.Api.Problems;
using Certification.Signing.Cms;
using Certification.Signing.Pades;
using Certification.Signing.Pki;
using Certification.Signing.Validation.Report;
using Microsoft.Extensions.Options;

namespace Certification.Api.Features.Verifications;

/// <summary>
/// Seals PDF validation reports with the service's own key (PAdES B-LT, timestamped by the service's TSA), so
/// an online service can file the report in the dossier instead of re-verifying later. The key is
/// <see cref="ReportOptions.SealKeyFile"/>; in demo mode a development seal issued by the demo PKI.
/// </summary>
public sealed class ValidationReportSeal(IOptions<CertificationOptions> options, DataDirectory data, TrustServices trust, TimeProvider clock)
{
    private readonly Lock _gate = new();
    private Pkcs12SigningKey? _key;

    public async Task<byte[]> SealAsync(ValidationReport report, ValidatedFile file, CancellationToken ct)
    {
        var pdf = ValidationReportPdf.Compose(report, file, options.Value.Reports.ServiceName);
        var signer = new PadesSigner(trust.Timestamps, trust.Revocation, clock);
        return await signer.SignAsync(pdf, Key(), new SignatureRequest
        {
            Level = PadesLevel.BaselineLT,
            Reason = "Niêm phong báo cáo xác thực / Validation report seal",
        }, ct);
    }

    private Pkcs12SigningKey Key()
    {
        lock (_gate)
        {
            if (_key is not null) return _key;
            var o = options.Value;
            if (!string.IsNullOrWhiteSpace(o.Reports.SealKeyFile))
                _key = Pkcs12SigningKey.Load(o.Reports.SealKeyFile, o.Reports.SealKeyPassword ?? "");
            else if (trust.Pki is { } pki)
            {
                var path = Path.Combine(data.Pki, "verification-service.p12");
                var password = Convert.ToBase64String(data.GetOrCreateSecret("pki-password"));
                if (!File.Exists(path))
                {
                    var issued = pki.IssueLeaf(pki.GovernmentCa, new LeafRequest("verification-service", "DEVELOPMENT Certification verification service")
                    {
                        Organization = "DEVELOPMENT Certification",
                    });
                    var temp = path + ".tmp";
                    File.WriteAllBytes(temp, issued.ExportPkcs12(password));
                    File.Move(temp, path, overwrite: true);
                }
                _key = Pkcs12SigningKey.Load(path, password);
            }
            else throw new ProblemException(ProblemTypes.SigningUnavailable, "No seal key is configured for validation reports (Certification:Reports:SealKeyFile).");
            return _key;
        }
    }
}
