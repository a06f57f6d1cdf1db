using Certification.Signing.Revocation;
using Certification.Signing.Tests.Pki;
using Certification.TestSupport;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Ocsp;
using Org.BouncyCastle.Ocsp;
using Org.BouncyCastle.X509;
using Xunit;
using X509Extension = Org.BouncyCastle.Asn1.X509.X509Extension;
using X509Extensions = Org.BouncyCastle.Asn1.X509.X509Extensions;

namespace Certification.Signing.Tests.Revocation;

public sealed class DevelopmentRevocationAuthorityTests
{
    private static TestPki Shared => TestPki.Shared;

    [Fact]
    public void Crl_of_the_government_ca_lists_the_revoked_certificate_and_verifies_with_openssl()
    {
        using var temp = new TempDirectory();
        var authority = new DevelopmentRevocationAuthority(Shared.Pki);
        var der = authority.GetCrl(Shared.Pki.GovernmentCa);
        var crl = new X509Crl(der);
        Assert.NotNull(crl.GetRevokedCertificate(Shared.Revoked.SerialNumber));
        Assert.Null(crl.GetRevokedCertificate(Shared.Pki.Officer.SerialNumber));
        Assert.Equal(TimeSpan.FromDays(7), crl.NextUpdate!.Value - crl.ThisUpdate);
        Assert.Equal(Shared.Pki.GovernmentCa.Certificate.SubjectDN, crl.IssuerDN);

        var crlFile = temp.File("government-ca.crl");
        File.WriteAllBytes(crlFile, der);
        // openssl crl -verify needs the issuer in -CAfile: a bundle of the root and the CA.
        var bundle = TestPki.WritePem(temp.Path, "bundle.pem", [Shared.Pki.Root.Certificate, Shared.Pki.GovernmentCa.Certificate]);
        var text = OpenSsl.Ok("crl", "-inform", "DER", "-in", crlFile, "-noout", "-text", "-verify", "-CAfile", bundle);
        Assert.Contains("verify OK", text);
        Assert.Contains(Shared.Revoked.SerialNumber.ToString(16).ToUpperInvariant(), text.ToUpperInvariant());
        Assert.Contains("Key Compromise", text);

        // And openssl verify -crl_check refuses the revoked certificate but accepts the officer.
        var revoked = TestPki.WritePem(temp.Path, "revoked.pem", [Shared.Revoked.Certificate]);
        var officer = TestPki.WritePem(temp.Path, "officer.pem", [Shared.Pki.Officer.Certificate]);
        var crlPem = temp.File("government-ca.crl.pem");
        OpenSsl.Ok("crl", "-inform", "DER", "-in", crlFile, "-out", crlPem);
        var (code, stdout, stderr) = OpenSsl.Run("verify", "-crl_check", "-CRLfile", crlPem, "-CAfile", Shared.RootsPem, "-untrusted", Shared.IntermediatesPem, revoked);
        Assert.NotEqual(0, code);
        Assert.Contains("certificate revoked", stdout + stderr);
        Assert.Contains(": OK", OpenSsl.Ok("verify", "-crl_check", "-CRLfile", crlPem, "-CAfile", Shared.RootsPem, "-untrusted", Shared.IntermediatesPem, officer));
    }

    [Fact]
    public void Root_crl_is_signed_by_the_root()
    {
        var der = new DevelopmentRevocationAuthority(Shared.Pki).GetCrl("root")!;
        new X509Crl(der).Verify(Shared.Pki.Root.Certificate.GetPublicKey());
        Assert.Null(new DevelopmentRevocationAuthority(Shared.Pki).GetCrl("nope"));
    }

    [Theory]
    [InlineData("officer", "good")]
    [InlineData("revoked", "revoked")]
    [InlineData("notary", "good")]
    public void Ocsp_answers_verify_with_openssl(string who, string expected)
    {
        using var temp = new TempDirectory();
        var credential = who switch { "officer" => Shared.Pki.Officer, "revoked" => Shared.Revoked, _ => Shared.Pki.Notary };
        var issuer = credential.Chain[1];
        var request = Request(issuer, credential.Certificate.SerialNumber, nonce: [1, 2, 3, 4, 5, 6, 7, 8]);
        var response = new DevelopmentRevocationAuthority(Shared.Pki).Respond(request.GetEncoded());
        var responseFile = temp.File("response.der");
        File.WriteAllBytes(responseFile, response);
        var issuerPem = TestPki.WritePem(temp.Path, "issuer.pem", [issuer]);
        var certificatePem = TestPki.WritePem(temp.Path, "cert.pem", [credential.Certificate]);

        var text = OpenSsl.Ok("ocsp", "-respin", responseFile, "-issuer", issuerPem, "-cert", certificatePem,
            "-CAfile", Shared.RootsPem, "-verify_other", Shared.IntermediatesPem, "-no_nonce", "-resp_text");
        Assert.Contains("Response verify OK", text);
        Assert.Contains($"cert.pem: {expected}", text);
        if (expected == "revoked")
            Assert.Contains("Reason: keyCompromise", text);

        var basic = (BasicOcspResp)new OcspResp(response).GetResponseObject();
        var nonce = basic.ResponseExtensions.GetExtension(OcspObjectIdentifiers.PkixOcspNonce);
        Assert.NotNull(nonce);
    }

    [Fact]
    public void Ocsp_about_an_intermediate_is_signed_by_the_root()
    {
        using var temp = new TempDirectory();
        var request = Request(Shared.Pki.Root.Certificate, Shared.Pki.GovernmentCa.SerialNumber);
        var response = new DevelopmentRevocationAuthority(Shared.Pki).Respond(request.GetEncoded());
        File.WriteAllBytes(temp.File("r.der"), response);
        var text = OpenSsl.Ok("ocsp", "-respin", temp.File("r.der"), "-issuer", Shared.RootsPem,
            "-cert", TestPki.WritePem(temp.Path, "ca.pem", [Shared.Pki.GovernmentCa.Certificate]), "-CAfile", Shared.RootsPem);
        Assert.Contains("Response verify OK", text);
        Assert.Contains("ca.pem: good", text);
    }

    [Fact]
    public void Unknown_serials_are_unknown_and_garbage_is_a_malformed_request()
    {
        var authority = new DevelopmentRevocationAuthority(Shared.Pki);
        var request = Request(Shared.Pki.GovernmentCa.Certificate, Org.BouncyCastle.Math.BigInteger.ValueOf(77));
        var basic = (BasicOcspResp)new OcspResp(authority.Respond(request.GetEncoded())).GetResponseObject();
        Assert.IsType<UnknownStatus>(basic.Responses.Single().GetCertStatus());

        Assert.Equal(OcspRespStatus.MalformedRequest, new OcspResp(authority.Respond([0x30, 0x03, 0x02, 0x01])).Status);

        // A CA outside this PKI: unauthorized.
        var other = Certification.Signing.Pki.DevelopmentPki.Create(new Uri("http://127.0.0.1:1/"),
            rootKey: Certification.Signing.Pki.KeyAlgorithm.EcdsaP256, otherKeys: Certification.Signing.Pki.KeyAlgorithm.EcdsaP256);
        var foreign = Request(other.GovernmentCa.Certificate, other.Officer.SerialNumber);
        Assert.Equal(OcspRespStatus.Unauthorized, new OcspResp(authority.Respond(foreign.GetEncoded())).Status);
    }

    internal static OcspReq Request(X509Certificate issuer, Org.BouncyCastle.Math.BigInteger serial, byte[]? nonce = null)
    {
        var generator = new OcspReqGenerator();
        generator.AddRequest(new CertificateID(CertificateID.DigestSha1, issuer, serial));
        if (nonce is not null)
            generator.SetRequestExtensions(new X509Extensions(new Dictionary<DerObjectIdentifier, X509Extension>
            {
                [OcspObjectIdentifiers.PkixOcspNonce] = new(false, new DerOctetString(new DerOctetString(nonce).GetEncoded())),
            }));
        return generator.Generate();
    }
}
