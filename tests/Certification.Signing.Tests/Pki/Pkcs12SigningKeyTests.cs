using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Certification.Signing.Cms;
using Certification.Signing.Pki;
using Certification.TestSupport;
using Xunit;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace Certification.Signing.Tests.Pki;

public sealed class Pkcs12SigningKeyTests
{
    private static TestPki Shared => TestPki.Shared;

    [Fact]
    public async Task Officer_p12_gives_the_chain_leaf_first_and_rsa_pkcs1_sha256_signatures_that_verify()
    {
        using var key = Pkcs12SigningKey.Load(Shared.OfficerP12, TestPki.Password);
        Assert.Equal(3, key.CertificateChain.Count);
        Assert.Equal(Shared.Pki.Officer.Certificate, key.CertificateChain[0]);
        Assert.Equal(Shared.Pki.GovernmentCa.Certificate, key.CertificateChain[1]);
        Assert.Equal(Shared.Pki.Root.Certificate, key.CertificateChain[2]);
        Assert.Equal(SignatureAlgorithm.RsaSha256, key.Algorithm);

        var digest = SHA256.HashData("certified copy"u8);
        var signature = await key.SignDigestAsync(digest);
        using var rsa = PublicRsa(key.CertificateChain[0]);
        Assert.True(rsa.VerifyHash(digest, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    [Theory]
    [InlineData(SignatureScheme.RsaPss, "SHA256")]
    [InlineData(SignatureScheme.RsaPss, "SHA384")]
    [InlineData(SignatureScheme.RsaPkcs1, "SHA512")]
    public async Task Rsa_keys_sign_with_the_chosen_scheme_and_digest(SignatureScheme scheme, string hashName)
    {
        var hash = new HashAlgorithmName(hashName);
        var algorithm = new SignatureAlgorithm(scheme, hash);
        using var key = Pkcs12SigningKey.Load(File.ReadAllBytes(Shared.OfficeP12), TestPki.Password, algorithm);
        Assert.Equal(algorithm, key.Algorithm);
        var digest = CryptographicOperations.HashData(hash, "văn bản"u8);
        var signature = await key.SignDigestAsync(digest);
        using var rsa = PublicRsa(key.CertificateChain[0]);
        var padding = scheme == SignatureScheme.RsaPss ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
        Assert.True(rsa.VerifyHash(digest, signature, hash, padding));
    }

    [Theory]
    [InlineData("p256", "SHA256")]
    [InlineData("p384", "SHA384")]
    public async Task Ecdsa_keys_default_to_the_curve_digest_and_sign_der_values(string curve, string hashName)
    {
        var credential = curve == "p256" ? Shared.EcdsaP256 : Shared.EcdsaP384;
        using var key = Pkcs12SigningKey.Load(credential.ExportPkcs12("x"), "x");
        var hash = new HashAlgorithmName(hashName);
        Assert.Equal(new SignatureAlgorithm(SignatureScheme.Ecdsa, hash), key.Algorithm);
        var digest = CryptographicOperations.HashData(hash, "chứng thực"u8);
        var signature = await key.SignDigestAsync(digest);
        Assert.Equal(0x30, signature[0]); // Ecdsa-Sig-Value is a DER SEQUENCE (RFC 3279 § 2.2.3)
        using var ecdsa = System.Security.Cryptography.X509Certificates.X509CertificateLoader
            .LoadCertificate(key.CertificateChain[0].GetEncoded()).GetECDsaPublicKey()!;
        Assert.True(ecdsa.VerifyHash(digest, signature, DSASignatureFormat.Rfc3279DerSequence));
    }

    [Fact]
    public async Task A_digest_of_the_wrong_length_is_refused()
    {
        using var key = Shared.Pki.Officer.ToSigningKey();
        await Assert.ThrowsAsync<ArgumentException>(() => key.SignDigestAsync(new byte[20]));
    }

    [Fact]
    public void An_algorithm_that_does_not_fit_the_key_is_refused()
    {
        Assert.Throws<ArgumentException>(() => Shared.Pki.Officer.ToSigningKey(new SignatureAlgorithm(SignatureScheme.Ecdsa, HashAlgorithmName.SHA256)));
        Assert.Throws<ArgumentException>(() => Shared.EcdsaP256.ToSigningKey(SignatureAlgorithm.RsaSha256));
    }

    [Fact]
    public void A_wrong_password_gives_a_clear_error_that_does_not_repeat_the_password()
    {
        var e = Assert.ThrowsAny<CryptographicException>(() => Pkcs12SigningKey.Load(Shared.OfficerP12, "guessed-wrong-secret"));
        Assert.Contains("wrong password", e.Message);
        Assert.Contains("officer.p12", e.Message);
        Assert.DoesNotContain("guessed-wrong-secret", e.ToString());
    }

    [Fact]
    public void A_chain_that_does_not_match_the_key_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new Pkcs12SigningKey(Shared.Pki.Officer.PrivateKey, Shared.Pki.Notary.Chain));
    }

    private static RSA PublicRsa(BcCertificate certificate) =>
        System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(certificate.GetEncoded()).GetRSAPublicKey()!;
}
