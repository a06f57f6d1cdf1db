using System.Text.Json.Nodes;
using Certification.Api.Infrastructure;
using Certification.Signing.Validation;

namespace Certification.Api.Features.Verifications;

/// <summary>
/// The library's validator against the service's trust anchors. Missing revocation data is looked up only
/// through <see cref="TrustServices.ValidationSource"/> (the demo PKI in-process and configured responder
/// hosts): an uploaded PDF names the URLs a validator would fetch, and a public endpoint must not be made
/// to call arbitrary hosts. Copies issued at B-LT and above carry their own validation data.
/// </summary>
public sealed class ValidatorDocumentVerifier(TrustServices trust, TimeProvider clock) : IDocumentVerifier
{
    public async Task<JsonObject> VerifyAsync(ReadOnlyMemory<byte> pdf, CancellationToken ct = default)
    {
        var report = await ValidateAsync(pdf, ct);
        return report.ToJsonObject();
    }

    public Task<Signing.Validation.Report.ValidationReport> ValidateAsync(ReadOnlyMemory<byte> pdf, CancellationToken ct = default) =>
        PdfSignatureValidator.ValidateAsync(pdf, trust.ValidationOptions(clock.GetUtcNow()), ct);
}
