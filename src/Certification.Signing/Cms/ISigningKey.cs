using Org.BouncyCastle.X509;

namespace Certification.Signing.Cms;

/// <summary>
/// A private key that can sign a precomputed digest, with the certificate chain that vouches for it.
/// PKCS#12 files, PKCS#11 tokens and remote signHash services all fit this shape, because CMS only
/// ever asks the key to sign the digest of the DER-encoded signed attributes (RFC 5652 § 5.4).
/// </summary>
public interface ISigningKey
{
    /// <summary>The signer certificate first, then its issuers up to (and preferably including) the root.</summary>
    IReadOnlyList<X509Certificate> CertificateChain { get; }

    SignatureAlgorithm Algorithm { get; }

    /// <summary>Signs <paramref name="digest"/>, computed with <see cref="SignatureAlgorithm.Hash"/>.
    /// Returns the raw signature value as it goes into SignerInfo.signature (DER for ECDSA).</summary>
    Task<byte[]> SignDigestAsync(byte[] digest, CancellationToken cancellationToken = default);
}
