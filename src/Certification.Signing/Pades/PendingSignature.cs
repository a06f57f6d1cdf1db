using System.Security.Cryptography;
using System.Text.Json;

namespace Certification.Signing.Pades;

/// <summary>
/// A signature prepared for an external signer (USB token, remote signHash service): the revision is
/// laid out and <see cref="DataToSign"/> is the digest the key must sign. It serialises to JSON so a
/// service can keep it while the officer approves on their phone, then complete it.
/// </summary>
public sealed record PendingSignature
{
    /// <summary>Digest of the DER signed attributes: what the external key signs.</summary>
    public required byte[] DataToSign { get; init; }
    public required string HashAlgorithm { get; init; }
    public required Cms.SignatureScheme Scheme { get; init; }
    public required PadesLevel Level { get; init; }
    public required byte[] SignedAttributes { get; init; }
    public required byte[] SignerCertificate { get; init; }
    public required byte[] UpdateBytes { get; init; }
    public required long BaseLength { get; init; }
    public required long ContentsOffset { get; init; }
    public required int ContentsCapacity { get; init; }
    /// <summary>SHA-256 of the document being signed, so completion refuses a different document.</summary>
    public required byte[] DocumentSha256 { get; init; }

    public HashAlgorithmName Hash => new(HashAlgorithm);

    public Cms.SignatureAlgorithm Algorithm => new(Scheme, Hash);

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this);

    public static PendingSignature FromJson(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize<PendingSignature>(json) ?? throw new ArgumentException("Not a pending signature");
}
