using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Certification.Signing.Cms;
using Certification.Signing.Pki;
using Certification.TestSupport;
using Org.BouncyCastle.Security;
using Xunit;

namespace Certification.Signing.Tests.Cms;

/// <summary>A key on a real PKCS#11 token (SoftHSM) signs digests that verify against its certificate.</summary>
[Collection(SoftHsmToken.TestCollection)]
public sealed class Pkcs11SigningKeyTests
{
    private static readonly byte[] Message = "Bản sao chứng thực từ bản chính"u8.ToArray();

    [Fact]
    public async Task Rsa_pkcs1_signature_verifies_against_the_certificate()
    {
        using var token = SoftHsmToken.Create(KeyAlgorithm.Rsa2048);
        using var key = token.OpenKey();

        Assert.Equal(SignatureAlgorithm.RsaSha256, key.Algorithm);
        var signature = await key.SignDigestAsync(SHA256.HashData(Message));

        using var certificate = TestPki.Certificate(token.Credential!);
        using var rsa = certificate.GetRSAPublicKey()!;
        Assert.True(rsa.VerifyData(Message, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        // Independently of .NET: BouncyCastle's verifier over the certificate read back from the token.
        var verifier = SignerUtilities.GetSigner("SHA256withRSA");
        verifier.Init(false, key.CertificateChain[0].GetPublicKey());
        verifier.BlockUpdate(Message, 0, Message.Length);
        Assert.True(verifier.VerifySignature(signature));
    }

    [Fact]
    public async Task Rsa_pss_signature_verifies_against_the_certificate()
    {
        using var token = SoftHsmToken.Create(KeyAlgorithm.Rsa2048);
        using var key = token.OpenKey(new SignatureAlgorithm(SignatureScheme.RsaPss, HashAlgorithmName.SHA256));

        var signature = await key.SignDigestAsync(SHA256.HashData(Message));

        using var certificate = TestPki.Certificate(token.Credential!);
        using var rsa = certificate.GetRSAPublicKey()!;
        Assert.True(rsa.VerifyData(Message, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pss));
        Assert.False(rsa.VerifyData(Message, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    [Fact]
    public async Task Ecdsa_p256_signature_is_der_and_verifies_against_the_certificate()
    {
        using var token = SoftHsmToken.Create(KeyAlgorithm.EcdsaP256);
        using var key = token.OpenKey();

        Assert.Equal(SignatureScheme.Ecdsa, key.Algorithm.Scheme);
        var signature = await key.SignDigestAsync(SHA256.HashData(Message));

        Assert.Equal(0x30, signature[0]);
        using var certificate = TestPki.Certificate(token.Credential!);
        using var ec = certificate.GetECDsaPublicKey()!;
        Assert.True(ec.VerifyData(Message, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        var verifier = SignerUtilities.GetSigner("SHA256withECDSA");
        verifier.Init(false, key.CertificateChain[0].GetPublicKey());
        verifier.BlockUpdate(Message, 0, Message.Length);
        Assert.True(verifier.VerifySignature(signature));
    }

    [Fact]
    public void Chain_is_read_from_the_token_signer_first_then_root()
    {
        using var token = SoftHsmToken.Create(KeyAlgorithm.Rsa2048, "Nguyễn Thị B");
        using var key = token.OpenKey();

        Assert.Equal(2, key.CertificateChain.Count);
        Assert.Equal(token.Credential!.Certificate.GetEncoded(), key.CertificateChain[0].GetEncoded());
        Assert.Equal(TestPki.Shared.Pki.Root.Certificate.GetEncoded(), key.CertificateChain[1].GetEncoded());
    }

    [Fact]
    public void Chain_from_the_caller_is_used_as_given()
    {
        using var token = SoftHsmToken.Create();
        using var key = token.OpenKey(withChainFromCaller: true);
        Assert.Equal(token.Credential!.Certificate.GetEncoded(), key.CertificateChain[0].GetEncoded());
    }

    [Fact]
    public void Wrong_pin_missing_token_and_missing_key_fail_clearly()
    {
        using var token = SoftHsmToken.Create();

        var wrongPin = Assert.Throws<Pkcs11KeyException>(() => Pkcs11SigningKey.Open(token.KeyOptions(), "00000000"));
        Assert.Contains("CKR_PIN_INCORRECT", wrongPin.Message);
        Assert.DoesNotContain(token.UserPin, wrongPin.ToString());

        Assert.Throws<Pkcs11KeyException>(() => Pkcs11SigningKey.Open(token.KeyOptions() with { TokenLabel = "no-such-token" }, token.UserPin));
        Assert.Throws<Pkcs11KeyException>(() => Pkcs11SigningKey.Open(token.KeyOptions() with { KeyLabel = "no-such-key", KeyId = null }, token.UserPin));
    }

    [Fact]
    public void A_certificate_of_another_key_is_refused()
    {
        using var token = SoftHsmToken.Create();
        var other = TestPki.Shared.IssueLeaf("Other");
        var options = token.KeyOptions() with { CertificateChain = [other.Certificate] };

        Assert.Throws<Pkcs11KeyException>(() => Pkcs11SigningKey.Open(options, token.UserPin));
    }

    [Fact]
    public async Task Digest_of_the_wrong_length_is_refused()
    {
        using var token = SoftHsmToken.Create();
        using var key = token.OpenKey();
        await Assert.ThrowsAsync<ArgumentException>(() => key.SignDigestAsync(new byte[20]));
    }

    [Fact]
    public async Task Two_keys_on_two_tokens_sign_concurrently()
    {
        using var rsaToken = SoftHsmToken.Create(KeyAlgorithm.Rsa2048);
        using var ecToken = SoftHsmToken.Create(KeyAlgorithm.EcdsaP256);
        using var rsaKey = rsaToken.OpenKey();
        using var ecKey = ecToken.OpenKey();
        var digest = SHA256.HashData(Message);

        var signatures = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => (i % 2 == 0 ? rsaKey : ecKey).SignDigestAsync(digest)));

        using var rsaCertificate = TestPki.Certificate(rsaToken.Credential!);
        using var ecCertificate = TestPki.Certificate(ecToken.Credential!);
        using var rsa = rsaCertificate.GetRSAPublicKey()!;
        using var ec = ecCertificate.GetECDsaPublicKey()!;
        for (var i = 0; i < signatures.Length; i++)
            Assert.True(i % 2 == 0
                ? rsa.VerifyHash(digest, signatures[i], HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
                : ec.VerifyHash(digest, signatures[i], DSASignatureFormat.Rfc3279DerSequence));
    }

    [Fact]
    public void Raw_ecdsa_is_converted_to_minimal_der_integers()
    {
        var raw = new byte[64];
        raw[31] = 0x80; // r = 128: needs a leading zero byte in DER
        raw[63] = 0x01; // s = 1
        Assert.Equal(new byte[] { 0x30, 0x07, 0x02, 0x02, 0x00, 0x80, 0x02, 0x01, 0x01 }, Pkcs11SigningKey.EcdsaRawToDer(raw, 32));
    }
}
