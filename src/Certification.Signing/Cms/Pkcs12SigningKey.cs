using System.Security.Cryptography;
using Certification.Signing.Pki;
using Org.BouncyCastle.X509;

namespace Certification.Signing.Cms;

/// <summary>
/// A software key: a PKCS#12 (PFX) file, or a key and chain already in memory. Signing is done by .NET
/// (<see cref="RSA.SignHash(byte[], HashAlgorithmName, RSASignaturePadding)"/>,
/// <see cref="ECDsa.SignHash(byte[], DSASignatureFormat)"/>).
/// </summary>
/// <remarks>
/// The password is taken from the caller (the CLI reads <c>CERTIFICATION_P12_PASSWORD</c>); it is never
/// stored, logged or put into exception messages.
/// </remarks>
public sealed class Pkcs12SigningKey : ISigningKey, IDisposable
{
    private readonly AsymmetricAlgorithm _key;
    private readonly DotNetSignatureFactory _signer;

    /// <param name="privateKey">An <see cref="RSA"/> or <see cref="ECDsa"/> key. Not owned: disposing this
    /// object does not dispose it.</param>
    /// <param name="chain">The certificate of <paramref name="privateKey"/> first, then its issuers.</param>
    /// <param name="algorithm">Default: RSA PKCS#1 v1.5 with SHA-256; ECDSA with SHA-256 on P-256, SHA-384 on P-384.</param>
    public Pkcs12SigningKey(AsymmetricAlgorithm privateKey, IEnumerable<X509Certificate> chain, SignatureAlgorithm? algorithm = null)
        : this(privateKey, chain, algorithm, ownsKey: false)
    {
    }

    private Pkcs12SigningKey(AsymmetricAlgorithm privateKey, IEnumerable<X509Certificate> chain, SignatureAlgorithm? algorithm, bool ownsKey)
    {
        ArgumentNullException.ThrowIfNull(privateKey);
        ArgumentNullException.ThrowIfNull(chain);
        _key = privateKey;
        OwnsKey = ownsKey;
        CertificateChain = chain.ToList();
        if (CertificateChain.Count == 0)
            throw new ArgumentException("The certificate chain is empty.", nameof(chain));
        if (!CertificateChain[0].GetPublicKey().Equals(KeyMaterial.PublicKey(privateKey)))
            throw new ArgumentException("The first certificate of the chain does not belong to the private key.", nameof(chain));
        _signer = new DotNetSignatureFactory(privateKey, algorithm);
    }

    private bool OwnsKey { get; }

    /// <summary>Opens a PKCS#12 file holding exactly one private key.</summary>
    /// <exception cref="CryptographicException">Wrong password, damaged file, or not exactly one key.</exception>
    public static Pkcs12SigningKey Load(string path, string password, SignatureAlgorithm? algorithm = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FileNotFoundException($"Cannot read the PKCS#12 file '{path}': {e.Message}", path, e);
        }
        try
        {
            return Load(bytes, password, algorithm);
        }
        catch (CryptographicException e)
        {
            throw new CryptographicException($"'{path}': {e.Message}", e);
        }
    }

    /// <inheritdoc cref="Load(string, string, SignatureAlgorithm?)"/>
    public static Pkcs12SigningKey Load(byte[] pkcs12, string password, SignatureAlgorithm? algorithm = null)
    {
        ArgumentNullException.ThrowIfNull(pkcs12);
        var (key, chain) = Pkcs12File.Read(pkcs12, password);
        try
        {
            return new Pkcs12SigningKey(key, chain, algorithm, ownsKey: true);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>The default signature algorithm for a key (see the constructor).</summary>
    public static SignatureAlgorithm DefaultAlgorithmFor(AsymmetricAlgorithm key) => DotNetSignatureFactory.DefaultAlgorithm(key);

    public IReadOnlyList<X509Certificate> CertificateChain { get; }

    public SignatureAlgorithm Algorithm => _signer.Algorithm;

    /// <summary>The .NET private key (RSA or ECDsa).</summary>
    public AsymmetricAlgorithm PrivateKey => _key;

    public Task<byte[]> SignDigestAsync(byte[] digest, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(digest);
        int expected = CmsOids.DigestLength(Algorithm.Hash);
        if (digest.Length != expected)
            throw new ArgumentException($"A {Algorithm.Hash.Name} digest is {expected} bytes long, not {digest.Length}.", nameof(digest));
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(_signer.SignDigest(digest));
    }

    public void Dispose()
    {
        if (OwnsKey)
            _key.Dispose();
    }
}
