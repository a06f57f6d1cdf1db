using System.Security.Cryptography;
using Certification.Signing.Cms;
using Org.BouncyCastle.Crypto;

namespace Certification.Signing.Pki;

/// <summary>
/// A BouncyCastle <see cref="ISignatureFactory"/> whose arithmetic is done by a .NET key (OpenSSL
/// underneath). BouncyCastle builds the ASN.1 (certificates, CRLs, OCSP responses, time-stamp tokens);
/// .NET signs, which is several times faster than BouncyCastle's managed RSA.
/// </summary>
public sealed class DotNetSignatureFactory : ISignatureFactory
{
    private readonly AsymmetricAlgorithm _key;

    public DotNetSignatureFactory(AsymmetricAlgorithm key, SignatureAlgorithm? algorithm = null)
    {
        _key = key ?? throw new ArgumentNullException(nameof(key));
        Algorithm = algorithm ?? DefaultAlgorithm(key);
        if (key is RSA && Algorithm.Scheme == SignatureScheme.Ecdsa || key is ECDsa && Algorithm.Scheme != SignatureScheme.Ecdsa)
            throw new ArgumentException($"Signature algorithm {Algorithm} does not fit a {key.GetType().Name} key.", nameof(algorithm));
        AlgorithmDetails = CmsOids.SignatureAlgorithmIdentifier(Algorithm);
    }

    public SignatureAlgorithm Algorithm { get; }

    /// <inheritdoc />
    public object AlgorithmDetails { get; }

    /// <summary>RSA: PKCS#1 v1.5 with SHA-256; ECDSA: SHA-256 on P-256, SHA-384 on P-384, SHA-512 on P-521.</summary>
    public static SignatureAlgorithm DefaultAlgorithm(AsymmetricAlgorithm key) => key switch
    {
        RSA => SignatureAlgorithm.RsaSha256,
        ECDsa ec => new SignatureAlgorithm(SignatureScheme.Ecdsa, ec.KeySize switch
        {
            <= 256 => HashAlgorithmName.SHA256,
            <= 384 => HashAlgorithmName.SHA384,
            _ => HashAlgorithmName.SHA512,
        }),
        _ => throw new NotSupportedException($"Key type {key.GetType().Name} is not supported (RSA or ECDSA only)."),
    };

    public IStreamCalculator<IBlockResult> CreateCalculator() => new Calculator(this);

    /// <summary>Signs <paramref name="data"/> (hashing it first).</summary>
    public byte[] SignData(ReadOnlySpan<byte> data)
    {
        Span<byte> digest = stackalloc byte[64];
        int length = CryptographicOperations.HashData(Algorithm.Hash, data, digest);
        return SignDigest(digest[..length]);
    }

    /// <summary>Signs a precomputed digest; ECDSA values come DER-encoded (RFC 3279 § 2.2.3).</summary>
    public byte[] SignDigest(ReadOnlySpan<byte> digest) => _key switch
    {
        RSA rsa => rsa.SignHash(digest.ToArray(), Algorithm.Hash,
            Algorithm.Scheme == SignatureScheme.RsaPss ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1),
        ECDsa ec => ec.SignHash(digest.ToArray(), DSASignatureFormat.Rfc3279DerSequence),
        _ => throw new NotSupportedException(),
    };

    /// <summary>Hashes what BouncyCastle writes (it disposes the stream before asking for the result).</summary>
    private sealed class Calculator(DotNetSignatureFactory factory) : IStreamCalculator<IBlockResult>
    {
        private readonly HashingStream _stream = new(IncrementalHash.CreateHash(factory.Algorithm.Hash));

        public Stream Stream => _stream;

        public IBlockResult GetResult() => new SimpleBlockResult(factory.SignDigest(_stream.Hash.GetHashAndReset()));
    }

    private sealed class HashingStream(IncrementalHash hash) : Stream
    {
        public IncrementalHash Hash { get; } = hash;
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Hash.AppendData(buffer, offset, count);
        public override void Write(ReadOnlySpan<byte> buffer) => Hash.AppendData(buffer);
        public override void WriteByte(byte value) => Hash.AppendData([value]);
    }
}
