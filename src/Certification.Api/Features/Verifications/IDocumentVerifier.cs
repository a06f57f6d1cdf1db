using System.Text.Json.Nodes;

namespace Certification.Api.Features.Verifications;

/// <summary>Produces the validation report of issue 3's contract (camelCase JSON: indication, signatures[…]) for a PDF.</summary>
public interface IDocumentVerifier
{
    Task<JsonObject> VerifyAsync(ReadOnlyMemory<byte> pdf, CancellationToken ct = default);

    /// <summary>The report itself, for the ETSI XML and sealed PDF forms.</summary>
    Task<Signing.Validation.Report.ValidationReport> ValidateAsync(ReadOnlyMemory<byte> pdf, CancellationToken ct = default);
}
