namespace Certification.Signing.Pades;

/// <summary>Certificates and revocation data that make one signature verifiable later (ETSI EN 319 142-1 § 5.4).</summary>
public sealed record ValidationMaterial(
    IReadOnlyList<byte[]> Certificates,
    IReadOnlyList<byte[]> Crls,
    IReadOnlyList<byte[]> OcspResponses);
