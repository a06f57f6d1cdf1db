using System.Security.Cryptography;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Security;

namespace Certification.Signing.Pki;

/// <summary>Key types the development PKI can generate.</summary>
public enum KeyAlgorithm
{
    /// <summary>RSA with a 2048-bit modulus (the default for leaf and intermediate certificates).</summary>
    Rsa2048,
    /// <summary>RSA with a 3072-bit modulus (the default for the root).</summary>
    Rsa3072,
    /// <summary>ECDSA on NIST P-256 (secp256r1); signs with SHA-256.</summary>
    EcdsaP256,
    /// <summary>ECDSA on NIST P-384 (secp384r1); signs with SHA-384.</summary>
    EcdsaP384,
}

/// <summary>
/// Conversions between .NET keys (fast: OpenSSL does the arithmetic) and BouncyCastle key parameters
/// (needed only where BouncyCastle builds ASN.1 structures around a public key).
/// </summary>
internal static class KeyMaterial
{
    public static AsymmetricAlgorithm Generate(KeyAlgorithm algorithm) => algorithm switch
    {
        KeyAlgorithm.Rsa2048 => RSA.Create(2048),
        KeyAlgorithm.Rsa3072 => RSA.Create(3072),
        KeyAlgorithm.EcdsaP256 => ECDsa.Create(ECCurve.NamedCurves.nistP256),
        KeyAlgorithm.EcdsaP384 => ECDsa.Create(ECCurve.NamedCurves.nistP384),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, null),
    };

    public static SubjectPublicKeyInfo PublicKeyInfo(AsymmetricAlgorithm key) =>
        SubjectPublicKeyInfo.GetInstance(key.ExportSubjectPublicKeyInfo());

    public static AsymmetricKeyParameter PublicKey(AsymmetricAlgorithm key) =>
        PublicKeyFactory.CreateKey(key.ExportSubjectPublicKeyInfo());
}
