using Certification.Signing.Pki;
using Certification.Signing.Revocation;
using Certification.TestSupport;
using Xunit;

namespace Certification.Signing.Tests.Pki;

public sealed class SigningCertificatePolicyTests
{
    private static TestPki Shared => TestPki.Shared;

    [Fact]
    public void The_demo_signers_may_sign()
    {
        var now = DateTimeOffset.UtcNow;
        SigningCertificatePolicy.Check(Shared.Pki.Officer.Certificate, now);
        SigningCertificatePolicy.Check(Shared.Pki.OfficeSeal.Certificate, now);
        SigningCertificatePolicy.Check(Shared.Pki.Notary.Certificate, now, new RevocationStatus(RevocationState.Good));
    }

    [Fact]
    public void An_expired_certificate_is_refused_naming_the_date_vietnamese_first()
    {
        var e = Assert.Throws<SigningCertificateRejectedException>(() => SigningCertificatePolicy.Check(Shared.Expired.Certificate, DateTimeOffset.UtcNow));
        Assert.Equal(SigningCertificateRejection.Expired, e.Reason);
        var notAfter = Shared.Expired.Certificate.NotAfter.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");
        Assert.StartsWith($"Chứng thư số đã hết hạn / The signing certificate expired on {notAfter}", e.Message);
    }

    [Fact]
    public void A_certificate_not_yet_valid_is_refused()
    {
        var e = Assert.Throws<SigningCertificateRejectedException>(() => SigningCertificatePolicy.Check(Shared.NotYetValid.Certificate, DateTimeOffset.UtcNow));
        Assert.Equal(SigningCertificateRejection.NotYetValid, e.Reason);
        Assert.StartsWith("Chứng thư số chưa có hiệu lực", e.Message);
        Assert.Contains("The signing certificate is not valid before", e.Message);
        // The same certificate may sign once its time has come.
        SigningCertificatePolicy.Check(Shared.NotYetValid.Certificate, DateTimeOffset.UtcNow.AddDays(31));
    }

    [Fact]
    public void A_certificate_without_signing_key_usage_is_refused()
    {
        var e = Assert.Throws<SigningCertificateRejectedException>(() => SigningCertificatePolicy.Check(Shared.NoSigningKeyUsage.Certificate, DateTimeOffset.UtcNow));
        Assert.Equal(SigningCertificateRejection.KeyUsage, e.Reason);
        Assert.Contains("neither digitalSignature nor nonRepudiation", e.Message);
    }

    [Fact]
    public void Either_digital_signature_or_non_repudiation_suffices()
    {
        var pki = DevelopmentPki.Create(new Uri("http://127.0.0.1:1/"), rootKey: KeyAlgorithm.EcdsaP256, otherKeys: KeyAlgorithm.EcdsaP256);
        var onlyNr = pki.IssueLeaf(pki.GovernmentCa, new LeafRequest("nr", "NR (DEVELOPMENT)") { KeyUsage = System.Security.Cryptography.X509Certificates.X509KeyUsageFlags.NonRepudiation, KeyAlgorithm = KeyAlgorithm.EcdsaP256 });
        var onlyDs = pki.IssueLeaf(pki.GovernmentCa, new LeafRequest("ds", "DS (DEVELOPMENT)") { KeyUsage = System.Security.Cryptography.X509Certificates.X509KeyUsageFlags.DigitalSignature, KeyAlgorithm = KeyAlgorithm.EcdsaP256 });
        var none = pki.IssueLeaf(pki.GovernmentCa, new LeafRequest("none", "No KU (DEVELOPMENT)") { KeyUsage = System.Security.Cryptography.X509Certificates.X509KeyUsageFlags.None, KeyAlgorithm = KeyAlgorithm.EcdsaP256 });
        SigningCertificatePolicy.Check(onlyNr.Certificate, DateTimeOffset.UtcNow);
        SigningCertificatePolicy.Check(onlyDs.Certificate, DateTimeOffset.UtcNow);
        var e = Assert.Throws<SigningCertificateRejectedException>(() => SigningCertificatePolicy.Check(none.Certificate, DateTimeOffset.UtcNow));
        Assert.Equal(SigningCertificateRejection.KeyUsage, e.Reason);
    }

    [Fact]
    public void A_revoked_certificate_is_refused_from_offline_revocation_data()
    {
        var crl = new DevelopmentRevocationAuthority(Shared.Pki).GetCrl(Shared.Pki.GovernmentCa);
        var data = new RevocationData([crl], []);
        var e = Assert.Throws<SigningCertificateRejectedException>(() =>
            SigningCertificatePolicy.Check(Shared.Revoked.Chain, DateTimeOffset.UtcNow, data));
        Assert.Equal(SigningCertificateRejection.Revoked, e.Reason);
        Assert.StartsWith("Chứng thư số đã bị thu hồi / The signing certificate was revoked on", e.Message);
        Assert.Contains("(reason: keyCompromise)", e.Message);
        SigningCertificatePolicy.Check(Shared.Pki.Officer.Chain, DateTimeOffset.UtcNow, data);
    }

    [Fact]
    public void A_certificate_used_before_its_revocation_time_passes()
    {
        var status = new RevocationStatus(RevocationState.Revoked, DateTimeOffset.UtcNow.AddDays(1), RevocationReason.Superseded);
        SigningCertificatePolicy.Check(Shared.Pki.Officer.Certificate, DateTimeOffset.UtcNow, status);
    }

    [Fact]
    public async Task A_revoked_certificate_is_refused_when_asking_the_responder()
    {
        await Shared.StartServerAsync();
        using var fetcher = new RevocationFetcher();
        var e = await Assert.ThrowsAsync<SigningCertificateRejectedException>(() =>
            SigningCertificatePolicy.CheckAsync(Shared.Revoked.Chain, DateTimeOffset.UtcNow, fetcher));
        Assert.Equal(SigningCertificateRejection.Revoked, e.Reason);
        await SigningCertificatePolicy.CheckAsync(Shared.Pki.Officer.Chain, DateTimeOffset.UtcNow, fetcher);
    }
}
