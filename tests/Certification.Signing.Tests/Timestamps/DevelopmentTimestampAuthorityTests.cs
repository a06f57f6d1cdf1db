using System.Diagnostics;
using System.Security.Cryptography;
using Certification.Signing.Pki;
using Certification.Signing.Tests.Pki;
using Certification.Signing.Timestamps;
using Certification.TestSupport;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.Ess;
using Org.BouncyCastle.Tsp;
using Xunit;
using Xunit.Abstractions;

namespace Certification.Signing.Tests.Timestamps;

public sealed class DevelopmentTimestampAuthorityTests(ITestOutputHelper output)
{
    private static TestPki Shared => TestPki.Shared;

    [Fact]
    public async Task Token_verifies_with_openssl_against_roots_pem_by_data_and_by_digest()
    {
        using var temp = new TempDirectory();
        var data = "Bản sao chứng thực — DEVELOPMENT"u8.ToArray();
        var dataFile = temp.File("data.bin");
        File.WriteAllBytes(dataFile, data);
        var token = await Shared.Tsa.GetTimestampTokenAsync(SHA256.HashData(data), HashAlgorithmName.SHA256);
        var tokenFile = temp.File("token.der");
        File.WriteAllBytes(tokenFile, token);

        var byData = OpenSsl.Ok("ts", "-verify", "-in", tokenFile, "-token_in", "-data", dataFile,
            "-CAfile", Shared.RootsPem, "-untrusted", Shared.IntermediatesPem);
        Assert.Contains("Verification: OK", byData);
        var byDigest = OpenSsl.Ok("ts", "-verify", "-in", tokenFile, "-token_in", "-digest", Convert.ToHexString(SHA256.HashData(data)),
            "-CAfile", Shared.RootsPem, "-untrusted", Shared.IntermediatesPem);
        Assert.Contains("Verification: OK", byDigest);

        // A different document does not verify.
        File.WriteAllBytes(dataFile, [.. data, 0x20]);
        var (code, stdout, stderr) = OpenSsl.Run("ts", "-verify", "-in", tokenFile, "-token_in", "-data", dataFile,
            "-CAfile", Shared.RootsPem, "-untrusted", Shared.IntermediatesPem);
        Assert.NotEqual(0, code);
        Assert.Contains("message imprint mismatch", stdout + stderr);
    }

    [Fact]
    public async Task Token_carries_tsa_chain_ess_signing_certificate_v2_policy_and_clock_time()
    {
        var clock = new FixedTimeProvider(DateTimeOffset.UtcNow.AddMinutes(10));
        var tsa = new DevelopmentTimestampAuthority(Shared.Pki.TimestampAuthority, clock);
        var digest = SHA384.HashData("x"u8);
        var token = new TimeStampToken(new Org.BouncyCastle.Cms.CmsSignedData(
            await tsa.GetTimestampTokenAsync(digest, HashAlgorithmName.SHA384)));

        Assert.Equal(DevelopmentTimestampAuthority.PolicyOid, token.TimeStampInfo.Policy);
        Assert.Equal(digest, token.TimeStampInfo.GetMessageImprintDigest());
        Assert.Equal(Org.BouncyCastle.Asn1.Nist.NistObjectIdentifiers.IdSha384.Id, token.TimeStampInfo.MessageImprintAlgOid);
        Assert.Equal(DevelopmentPki.TruncateToSeconds(clock.GetUtcNow()).UtcDateTime, token.TimeStampInfo.GenTime);

        var certificates = token.GetCertificates().EnumerateMatches(null).ToList();
        Assert.Contains(Shared.Pki.TimestampAuthority.Certificate, certificates);
        Assert.Contains(Shared.Pki.GovernmentCa.Certificate, certificates);
        Assert.DoesNotContain(Shared.Pki.Root.Certificate, certificates);

        var essV2 = token.SignedAttributes[PkcsObjectIdentifiers.IdAASigningCertificateV2];
        Assert.NotNull(essV2);
        var signingCertificate = SigningCertificateV2.GetInstance(essV2.AttrValues[0]);
        Assert.Equal(SHA256.HashData(Shared.Pki.TimestampAuthority.Certificate.GetEncoded()), signingCertificate.GetCerts()[0].GetCertHash());

        token.Validate(Shared.Pki.TimestampAuthority.Certificate); // signature + ESS binding (BouncyCastle)
    }

    [Fact]
    public async Task Serial_numbers_are_unique()
    {
        var digest = SHA256.HashData("x"u8);
        var serials = new HashSet<string>();
        for (int i = 0; i < 50; i++)
        {
            var token = new TimeStampToken(new Org.BouncyCastle.Cms.CmsSignedData(await Shared.Tsa.GetTimestampTokenAsync(digest, HashAlgorithmName.SHA256)));
            Assert.True(serials.Add(token.TimeStampInfo.SerialNumber.ToString(16)));
        }
    }

    [Fact]
    public void Respond_answers_a_der_request_and_rejects_garbage()
    {
        var generator = new TimeStampRequestGenerator();
        generator.SetCertReq(true);
        var nonce = Org.BouncyCastle.Math.BigInteger.ValueOf(424242);
        var request = generator.Generate(TspAlgorithms.Sha256, SHA256.HashData("y"u8), nonce);
        var response = new TimeStampResponse(Shared.Tsa.Respond(request.GetEncoded()));
        Assert.Equal(0, response.Status);
        response.Validate(request); // nonce, imprint, certReq honoured
        Assert.Equal(nonce, response.TimeStampToken.TimeStampInfo.Nonce);

        var rejected = new TimeStampResponse(Shared.Tsa.Respond([1, 2, 3]));
        Assert.Equal(2, rejected.Status); // rejection
        Assert.Null(rejected.TimeStampToken);
    }

    [Fact]
    public async Task Timestamping_in_process_costs_about_a_millisecond()
    {
        var digest = SHA256.HashData("z"u8);
        for (int i = 0; i < 20; i++)
            await Shared.Tsa.GetTimestampTokenAsync(digest, HashAlgorithmName.SHA256);
        var times = new List<double>();
        for (int i = 0; i < 100; i++)
        {
            var watch = Stopwatch.StartNew();
            await Shared.Tsa.GetTimestampTokenAsync(digest, HashAlgorithmName.SHA256);
            times.Add(watch.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        var median = times[times.Count / 2];
        output.WriteLine($"in-process RFC 3161 token (RSA 2048): median {median:0.000} ms, p90 {times[90]:0.000} ms");
        Assert.True(median < 5, $"median {median} ms"); // generous: CI machines are noisy; measured ~1 ms
    }
}
