using Certification.Api.Infrastructure;
using Certification.Signing.Validation;

namespace Certification.Api.Features.Verifications;

/// <summary>
/// The library's validator against the service's trust anchors, through <see cref="VerificationResultCache"/>.
/// Missing revocation data is looked up only through <see cref="TrustServices.ValidationSource"/> (the demo PKI
/// in-process and configured responder hosts): an uploaded PDF names the URLs a validator would fetch, and a public
/// endpoint must not be made to call arbitrary hosts. Copies issued at B-LT and above carry their own validation data.
/// </summary>
public sealed class ValidatorDocumentVerifier(TrustServices trust, VerificationResultCache cache, TimeProvider clock) : IDocumentVerifier
{
    public Task<Signing.Validation.Report.ValidationReport> ValidateAsync(ReadOnlyMemory<byte> pdf, string sha256, CancellationToken ct = default)
    {
        var options = trust.ValidationOptions(clock.GetUtcNow());
        // Not cancelled with the request: requests for the same bytes may be waiting for this validation.
        return cache.GetOrValidateAsync(sha256, options.TrustStore!, () => PdfSignatureValidator.ValidateWithLifetimeAsync(pdf, options, CancellationToken.None), ct);
    }
}
