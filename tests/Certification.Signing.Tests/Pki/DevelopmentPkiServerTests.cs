using Certification.Signing.Pki;
using Certification.Signing.Revocation;
using Certification.TestSupport;
using Org.BouncyCastle.Ocsp;
using Org.BouncyCastle.X509;
using Xunit;

namespace Certification.Signing.Tests.Pki;

public sealed class DevelopmentPkiServerTests
{
    private static TestPki Shared => TestPki.Shared;

    [Fact]
    public async Task Serves_ca_certificates_crls_and_404s()
    {
        await Shared.StartServerAsync();
        using var http = new HttpClient();
        foreach (var ca in Shared.Pki.Authorities)
        {
            var certificate = await http.GetAsync(ca.CertificateUrl);
            Assert.Equal("application/pkix-cert", certificate.Content.Headers.ContentType!.MediaType);
            Assert.Equal(ca.Certificate, new X509Certificate(await certificate.Content.ReadAsByteArrayAsync()));
            var crl = await http.GetAsync(ca.CrlUrl);
            Assert.Equal("application/pkix-crl", crl.Content.Headers.ContentType!.MediaType);
            new X509Crl(await crl.Content.ReadAsByteArrayAsync()).Verify(ca.Certificate.GetPublicKey());
        }
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync(new Uri(Shared.BaseUrl, "crl/nope.crl"))).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync(new Uri(Shared.BaseUrl, "elsewhere"))).StatusCode);
    }

    [Fact]
    public async Task Ocsp_by_get_works_too()
    {
        await Shared.StartServerAsync();
        var request = Revocation.DevelopmentRevocationAuthorityTests.Request(Shared.Pki.GovernmentCa.Certificate, Shared.Pki.Officer.SerialNumber);
        using var http = new HttpClient();
        var url = new Uri(Shared.BaseUrl, "ocsp/" + Uri.EscapeDataString(Convert.ToBase64String(request.GetEncoded())));
        var response = new OcspResp(await http.GetByteArrayAsync(url));
        Assert.Equal(OcspRespStatus.Successful, response.Status);
    }

    [Fact]
    public async Task Openssl_ocsp_client_talks_to_the_server()
    {
        await Shared.StartServerAsync();
        using var temp = new TempDirectory();
        var issuer = TestPki.WritePem(temp.Path, "issuer.pem", [Shared.Pki.GovernmentCa.Certificate]);
        var revoked = TestPki.WritePem(temp.Path, "revoked.pem", [Shared.Revoked.Certificate]);
        var text = OpenSsl.Ok("ocsp", "-issuer", issuer, "-cert", revoked, "-url", Shared.Pki.OcspUrl.ToString(),
            "-CAfile", Shared.RootsPem, "-verify_other", Shared.IntermediatesPem, "-timeout", "10");
        Assert.Contains("Response verify OK", text);
        Assert.Contains("revoked.pem: revoked", text);
    }

    [Fact]
    public async Task A_revocation_written_by_another_process_shows_in_the_served_crl()
    {
        using var temp = new TempDirectory();
        var pki = DevelopmentPki.Create(new Uri($"http://127.0.0.1:{TestPki.FreeTcpPort()}/"), rootKey: KeyAlgorithm.EcdsaP256, otherKeys: KeyAlgorithm.EcdsaP256);
        pki.Save(temp.Path, "pw");
        var serving = DevelopmentPki.Load(temp.Path, "pw");
        await using var server = DevelopmentPkiServer.Start(serving);
        using var http = new HttpClient();
        var before = new X509Crl(await http.GetByteArrayAsync(pki.GovernmentCa.CrlUrl));
        Assert.Null(before.GetRevokedCertificate(pki.Officer.SerialNumber));

        // "Another process": a separately loaded PKI revokes; the server sees it in pki.json.
        var admin = DevelopmentPki.Load(temp.Path, "pw");
        await Task.Delay(20); // distinct file time stamps on coarse file systems
        admin.Revoke(admin.Officer.SerialNumber, RevocationReason.AffiliationChanged);
        var after = new X509Crl(await http.GetByteArrayAsync(pki.GovernmentCa.CrlUrl));
        Assert.NotNull(after.GetRevokedCertificate(pki.Officer.SerialNumber));
    }

    [Fact]
    public async Task Stops_and_frees_the_port()
    {
        var pki = DevelopmentPki.Create(new Uri($"http://127.0.0.1:{TestPki.FreeTcpPort()}/"), rootKey: KeyAlgorithm.EcdsaP256, otherKeys: KeyAlgorithm.EcdsaP256);
        var server = DevelopmentPkiServer.Start(pki);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        Assert.True((await http.GetAsync(pki.Root.CertificateUrl)).IsSuccessStatusCode);
        await server.DisposeAsync();
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(pki.Root.CertificateUrl));
        await using var again = DevelopmentPkiServer.Start(pki);
        Assert.True((await http.GetAsync(pki.Root.CertificateUrl)).IsSuccessStatusCode);
    }
}
