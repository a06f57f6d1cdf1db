using System.Security.Cryptography;
using Org.BouncyCastle.X509;

namespace Certification.Signing.Pki;

/// <summary>A certificate with its private key and the chain above it, as the development PKI issued it.</summary>
public class IssuedCredential
{
    internal IssuedCredential(string name, X509Certificate certificate, AsymmetricAlgorithm privateKey, IReadOnlyList<X509Certificate> chain)
    {
        Name = name;
        Certificate = certificate;
        PrivateKey = privateKey;
        Chain = chain;
    }

    /// <summary>A short, file-system-safe name (used as the PKCS#12 friendly name and file name).</summary>
    public string Name { get; }

    public X509Certificate Certificate { get; }

    /// <summary>The private key (an <see cref="RSA"/> or <see cref="ECDsa"/>).</summary>
    public AsymmetricAlgorithm PrivateKey { get; }

    /// <summary>This certificate first, then its issuers up to and including the root.</summary>
    public IReadOnlyList<X509Certificate> Chain { get; }

    public Org.BouncyCastle.Math.BigInteger SerialNumber => Certificate.SerialNumber;

    /// <summary>PKCS#12 (PFX) with the key and the full chain, encrypted with <paramref name="password"/>.</summary>
    public byte[] ExportPkcs12(string password) => Pkcs12File.Write(Name, PrivateKey, Chain, password);

    /// <summary>A signing key over this credential, for CMS signing in-process.</summary>
    public Cms.Pkcs12SigningKey ToSigningKey(Cms.SignatureAlgorithm? algorithm = null) => new(PrivateKey, Chain, algorithm);

    public override string ToString() => $"{Name}: {Certificate.SubjectDN}";
}

/// <summary>A certification authority of the development PKI, with where it publishes its certificate and CRL.</summary>
public sealed class CertificateAuthority : IssuedCredential
{
    internal CertificateAuthority(string slug, X509Certificate certificate, AsymmetricAlgorithm privateKey,
        IReadOnlyList<X509Certificate> chain, Uri baseUrl)
        : base(slug, certificate, privateKey, chain)
    {
        CrlUrl = new Uri(baseUrl, $"crl/{slug}.crl");
        CertificateUrl = new Uri(baseUrl, $"certs/{slug}.crt");
    }

    /// <summary>URL-safe identifier: <c>root</c>, <c>government-ca</c>, <c>public-ca</c>.</summary>
    public string Slug => Name;

    /// <summary>Where this CA's CRL is published (the CRL distribution point of what it issues).</summary>
    public Uri CrlUrl { get; }

    /// <summary>Where this CA's certificate is published (AIA caIssuers of what it issues).</summary>
    public Uri CertificateUrl { get; }

    public bool IsRoot => Chain.Count == 1;
}
