using System.Text.Json.Nodes;

namespace Certification.Api.Features.Verifications;

/// <summary>
/// Produces the validation report of issue 3's contract (camelCase JSON: indication, signatures[…]) for a
/// PDF. <see cref="InterimDocumentVerifier"/> stands in until <c>Certification.Signing.Validation</c>
/// lands; then register <c>ValidatorDocumentVerifier</c> (see docs/service.md) over
/// <c>PdfSignatureValidator.ValidateAsync(pdf, new ValidationOptions { TrustAnchors = anchors, Offline = true })</c>
/// returning <c>JsonNode.Parse(report.ToJson())</c>.
/// </summary>
public interface IDocumentVerifier
{
    /// <param name="issuedAsIs">True when the bytes are exactly a copy this registry stored (hash match): nothing
    /// was appended after issuance.</param>
    Task<JsonObject> VerifyAsync(ReadOnlyMemory<byte> pdf, bool issuedAsIs, CancellationToken ct = default);
}
