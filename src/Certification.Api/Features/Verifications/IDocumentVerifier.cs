namespace Certification.Api.Features.Verifications;

/// <summary>Produces the validation report of issue 3's contract (camelCase JSON: indication, signatures[…]) for a PDF.</summary>
public interface IDocumentVerifier
{
    /// <param name="sha256">The SHA-256 of <paramref name="pdf"/> (lower-case hex), computed once by the caller.</param>
    Task<Signing.Validation.Report.ValidationReport> ValidateAsync(ReadOnlyMemory<byte> pdf, string sha256, CancellationToken ct = default);
}
