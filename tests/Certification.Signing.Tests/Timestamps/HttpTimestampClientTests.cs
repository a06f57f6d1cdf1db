using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Certification.Signing.Tests.Pki;
using Certification.Signing.Timestamps;
using Certification.TestSupport;
using Org.BouncyCastle.Tsp;
using Xunit;

namespace Certification.Signing.Tests.Timestamps;

public sealed class HttpTimestampClientTests
{
    private static TestPki Shared => TestPki.Shared;

    [Fact]
    public async Task Gets_a_token_from_the_development_server_that_openssl_verifies()
    {
        await Shared.StartServerAsync();
        using var client = new HttpTimestampClient(Shared.Pki.TimestampUrl);
        var digest = SHA256.HashData("bản sao"u8);
        var token = await client.GetTimestampTokenAsync(digest, HashAlgorithmName.SHA256);
        var parsed = new TimeStampToken(new Org.BouncyCastle.Cms.CmsSignedData(token));
        Assert.Equal(digest, parsed.TimeStampInfo.GetMessageImprintDigest());
        Assert.NotNull(parsed.TimeStampInfo.Nonce);

        using var temp = new TempDirectory();
        File.WriteAllBytes(temp.File("t.der"), token);
        Assert.Contains("Verification: OK", OpenSsl.Ok("ts", "-verify", "-in", temp.File("t.der"), "-token_in",
            "-digest", Convert.ToHexString(digest), "-CAfile", Shared.RootsPem, "-untrusted", Shared.IntermediatesPem));
    }

    [Fact]
    public async Task Asking_for_a_policy_the_tsa_does_not_have_is_refused_with_the_tsa_reason()
    {
        await Shared.StartServerAsync();
        using var client = new HttpTimestampClient(Shared.Pki.TimestampUrl) { RequestedPolicyOid = "1.2.3.4.5" };
        var e = await Assert.ThrowsAsync<TimestampException>(() => client.GetTimestampTokenAsync(new byte[32], HashAlgorithmName.SHA256));
        Assert.Contains(Shared.Pki.TimestampUrl.ToString(), e.Message);
    }

    [Fact]
    public async Task Http_errors_and_timeouts_are_clear_exceptions()
    {
        await Shared.StartServerAsync();
        using var notFound = new HttpTimestampClient(new Uri(Shared.BaseUrl, "no-such-tsa"));
        var e = await Assert.ThrowsAsync<TimestampException>(() => notFound.GetTimestampTokenAsync(new byte[32], HashAlgorithmName.SHA256));
        Assert.Contains("HTTP 404", e.Message);

        // A listener that accepts connections and never answers.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var url = new Uri($"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}/tsa");
        using var slow = new HttpTimestampClient(url, timeout: TimeSpan.FromMilliseconds(500));
        var started = DateTime.UtcNow;
        var timeout = await Assert.ThrowsAsync<TimestampException>(() => slow.GetTimestampTokenAsync(new byte[32], HashAlgorithmName.SHA256));
        Assert.Contains("did not answer within 0.5 s", timeout.Message);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_reply_for_another_request_is_rejected()
    {
        // A fake TSA that answers every request with a token for a different imprint and nonce.
        var port = TestPki.FreeTcpPort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var serve = Task.Run(async () =>
        {
            var context = await listener.GetContextAsync();
            var generator = new TimeStampRequestGenerator();
            generator.SetCertReq(true);
            var other = generator.Generate(TspAlgorithms.Sha256, SHA256.HashData("other"u8), Org.BouncyCastle.Math.BigInteger.ValueOf(1));
            var body = Shared.Tsa.Respond(other.GetEncoded());
            context.Response.ContentType = "application/timestamp-reply";
            await context.Response.OutputStream.WriteAsync(body);
            context.Response.Close();
        });
        using var client = new HttpTimestampClient(new Uri($"http://127.0.0.1:{port}/"));
        var e = await Assert.ThrowsAsync<TimestampException>(() => client.GetTimestampTokenAsync(SHA256.HashData("mine"u8), HashAlgorithmName.SHA256));
        Assert.Contains("does not match the request", e.Message);
        await serve;
    }
}
