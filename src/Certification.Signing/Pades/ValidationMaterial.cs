using Org.BouncyCastle.X509;

namespace Certification.Signing.Pades;

/// <summary>Certificates and revocation data that make a signature verifiable later (ETSI EN 319 142-1 § 5.4).</summary>
public sealed record ValidationMaterial(
    IReadOnlyList<byte[]> Certificates,
    IReadOnlyList<byte[]> Crls,
    IReadOnlyList<byte[]> OcspResponses)
{
    public static readonly ValidationMaterial Empty = new([], [], []);
}

/// <summary>Gathers revocation data (CRLs, OCSP responses) for a certificate chain, leaf first.</summary>
public interface IValidationDataSource
{
    Task<ValidationMaterial> CollectAsync(IReadOnlyList<X509Certificate> chain, CancellationToken ct = default);
}
