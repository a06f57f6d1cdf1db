using System.Security.Cryptography;
using Certification.Signing.Cms;
using Certification.Signing.Pades;
using Certification.Signing.Pki;
using Certification.TestSupport;
using Org.BouncyCastle.Security;
using Xunit;

namespace Certification.Signing.Tests.Pades;

/// <summary>Every key source and algorithm produces signatures the independent judges accept.</summary>
[Collection(SoftHsmToken.TestCollection)]
public sealed class KeySourceTests
{
    public static TheoryData<string, SignatureScheme, string> Algorithms => new()
    {
        { "officer", SignatureScheme.RsaPkcs1, "SHA256" },
        { "officer", SignatureScheme.RsaPkcs1, "SHA512" },
        { "officer", SignatureScheme.RsaPss, "SHA256" },
        { "rsa3072", SignatureScheme.RsaPss, "SHA384" },
        { "p256", SignatureScheme.Ecdsa, "SHA256" },
        { "p384", SignatureScheme.Ecdsa, "SHA384" },
        { "p256", SignatureScheme.Ecdsa, "SHA512" },
    };

    [Theory]
    [MemberData(nameof(Algorithms))]
    public async Task Each_algorithm_signs_verifiably(string credential, SignatureScheme scheme, string hash)
    {
        var pki = TestPki.Shared;
        IssuedCredential issued = credential switch
        {
            "officer" => pki.Pki.Officer,
            "rsa3072" => pki.Rsa3072,
            "p256" => pki.EcdsaP256,
            _ => pki.EcdsaP384,
        };
        using var dir = new TempDirectory();
        var input = await File.ReadAllBytesAsync(SamplePdfs.PdfSharpText(dir.Path));
        using var key = issued.ToSigningKey(new SignatureAlgorithm(scheme, new HashAlgorithmName(hash)));
        var output = await new PadesSigner().SignAsync(input, key, new SignatureRequest());
        var path = dir.File("signed.pdf");
        await File.WriteAllBytesAsync(path, output);
        SignedFileAssertions.AssertJudgesAccept(path, 1);
    }

    [Fact]
    public async Task Two_step_external_signing_survives_a_round_trip_through_json()
    {
        using var dir = new TempDirectory();
        var input = await File.ReadAllBytesAsync(SamplePdfs.PdfSharpText(dir.Path));
        var officer = TestPki.Shared.Pki.Officer;
        var signer = new PadesSigner(TestPki.Shared.Tsa);

        // Step 1 (the service): only the certificate is known; the key is on the officer's token or phone.
        var pending = await signer.PrepareAsync(input, [officer.Certificate], SignatureAlgorithm.RsaSha256,
            new SignatureRequest { Level = PadesLevel.BaselineT });
        var stored = pending.ToJson();

        // The remote signer (a CSC-style signHash API) signs the 32-byte digest and returns the chain.
        Assert.Equal(32, pending.DataToSign.Length);
        var rsa = (RSA)officer.PrivateKey;
        var value = rsa.SignHash(pending.DataToSign, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

        // Step 2 (later, maybe another process): embed it.
        var output = await signer.CompleteAsync(input, PendingSignature.FromJson(stored), value, officer.Chain);
        var path = dir.File("two-step.pdf");
        await File.WriteAllBytesAsync(path, output);
        SignedFileAssertions.AssertStartsWith(output, input);
        SignedFileAssertions.AssertJudgesAccept(path, 1);
    }

    [Fact]
    public async Task Two_step_completion_refuses_a_wrong_signature_value_or_another_document()
    {
        using var dir = new TempDirectory();
        var input = await File.ReadAllBytesAsync(SamplePdfs.PdfSharpText(dir.Path));
        var officer = TestPki.Shared.Pki.Officer;
        var signer = new PadesSigner();
        var pending = await signer.PrepareAsync(input, [officer.Certificate], SignatureAlgorithm.RsaSha256, new SignatureRequest());
        var wrongKey = (RSA)TestPki.Shared.Pki.OfficeSeal.PrivateKey;
        var wrong = wrongKey.SignHash(pending.DataToSign, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => signer.CompleteAsync(input, pending, wrong, officer.Chain));
        Assert.Contains("does not verify", error.Message);

        var right = ((RSA)officer.PrivateKey).SignHash(pending.DataToSign, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var other = input.ToArray();
        other[100] ^= 1;
        await Assert.ThrowsAsync<InvalidOperationException>(() => signer.CompleteAsync(other, pending, right, officer.Chain));
    }

    [Theory]
    [InlineData(KeyAlgorithm.Rsa2048)]
    [InlineData(KeyAlgorithm.EcdsaP256)]
    public async Task A_SoftHSM2_token_signs_through_PKCS11(KeyAlgorithm keyType)
    {
        using var token = SoftHsmToken.Create(keyType, "Cán bộ Token (DEVELOPMENT)");
        using var dir = new TempDirectory();
        var input = await File.ReadAllBytesAsync(SamplePdfs.PdfSharpText(dir.Path));
        using var key = token.OpenKey();
        var output = await new PadesSigner().SignAsync(input, key, new SignatureRequest());
        var path = dir.File("pkcs11.pdf");
        await File.WriteAllBytesAsync(path, output);
        // The token's leaf is issued by TestPki's root, which the judges trust already.
        SignedFileAssertions.AssertJudgesAccept(path, 1);
    }
}
