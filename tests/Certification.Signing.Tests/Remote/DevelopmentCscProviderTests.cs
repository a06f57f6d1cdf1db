using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Certification.Signing.Cms;
using Certification.Signing.Remote;
using Certification.TestSupport;
using Xunit;

namespace Certification.Signing.Tests.Remote;

/// <summary>The development CSC provider refuses what a real provider refuses, and its <c>info</c> (GET and POST)
/// lists exactly the methods it answers. A frozen clock drives the SAD and approval lifetimes.</summary>
public sealed class DevelopmentCscProviderTests
{
    private static readonly TestPki Pki = TestPki.Shared;
    private readonly FixedTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly DevelopmentCscProvider _provider;
    private readonly CscClient _client;

    public DevelopmentCscProviderTests()
    {
        _provider = new DevelopmentCscProvider(DevelopmentCscProvider.DemoCredentials(Pki.Pki),
            [new DevelopmentCscClient("seal-app", "seal-secret", ["office"]), new DevelopmentCscClient("officer-app", "officer-secret", ["officer"])],
            new DevelopmentCscOptions { SadLifetime = TimeSpan.FromMinutes(5), ApprovalWindow = TimeSpan.FromMinutes(2) }, _clock);
        _client = Client("officer-app", "officer-secret");
    }

    private CscClient Client(string id, string secret) =>
        new(new HttpClient(new DevelopmentCscHandler(_provider)), new CscClientOptions { BaseUrl = new Uri("http://127.0.0.1:1/csc/v2/"), ClientId = id, ClientSecret = secret, SafeRetries = 0 }, _clock);

    private static byte[] Digest(string text) => SHA256.HashData(Encoding.UTF8.GetBytes(text));

    private const string Sha256 = "2.16.840.1.101.3.4.2.1";

    private string SignAlgo => CmsOids.SignatureAlgorithmIdentifier(SignatureAlgorithm.For(Pki.Pki.Officer.Certificate)).Algorithm.Id;

    [Fact]
    public async Task Info_answers_GET_and_POST_and_every_method_it_lists_is_answered()
    {
        foreach (var method in new[] { "GET", "POST" })
        {
            var answer = _provider.Handle(new CscHttpRequest(method, "v2/info", "", null, "application/json", null, "{}"u8.ToArray()));
            Assert.Equal(200, answer.Status);
            var listed = JsonNode.Parse(answer.Body)!["methods"]!.AsArray().Select(m => m!.GetValue<string>()).ToList();
            Assert.Equal(DevelopmentCscProvider.Methods, listed);
        }
        Assert.Equal(DevelopmentCscProvider.Methods, (await _client.InfoAsync()).Methods);
        foreach (var method in DevelopmentCscProvider.Methods)
        {
            var verb = method == "oauth2/authorize" ? "GET" : "POST";
            var answer = _provider.Handle(new CscHttpRequest(verb, "v2/" + method, "", null, "application/json", null, "{}"u8.ToArray()));
            Assert.True(answer.Status != 404, $"{method} is listed but not answered");
        }
        Assert.Equal(404, _provider.Handle(new CscHttpRequest("POST", "v2/credentials/sendOTP", "", null, null, null, [])).Status);
    }

    [Fact]
    public async Task SCAL2_refuses_another_hash_than_the_authorised_one_and_signs_the_authorised_one_after_approval()
    {
        var token = await _client.ClientCredentialsTokenAsync();
        var authorised = Digest("the prepared copy");
        var sad = await _client.AuthorizeAsync(token, "officer", [authorised], Sha256);
        var swapped = await Assert.ThrowsAsync<CscException>(() => _client.SignHashAsync(token, "officer", sad, [Digest("another document")], Sha256, SignAlgo));
        Assert.Equal(CscFailure.HashNotAuthorised, swapped.Failure);

        var started = await _client.SignHashAsync(token, "officer", sad, [authorised], Sha256, SignAlgo);
        Assert.Null(await _client.PollAsync(token, started.ResponseId!));
        Assert.True(_provider.Approve(started.ResponseId!));
        var signature = Assert.Single((await _client.PollAsync(token, started.ResponseId!))!);
        Assert.True(SignatureValues.Verify(Pki.Pki.Officer.Certificate, SignatureAlgorithm.For(Pki.Pki.Officer.Certificate), authorised, signature));
        // A SAD for one signature is used up.
        var reused = await Assert.ThrowsAsync<CscException>(() => _client.SignHashAsync(token, "officer", sad, [authorised], Sha256, SignAlgo));
        Assert.Equal("invalid_sad", reused.ProviderError);
    }

    [Fact]
    public async Task Expired_authorisation_wrong_credential_expired_token_and_approval_window()
    {
        var token = await _client.ClientCredentialsTokenAsync();
        var digest = Digest("copy");
        var sad = await _client.AuthorizeAsync(token, "officer", [digest], Sha256);
        _clock.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal(CscFailure.AuthorisationExpired,
            (await Assert.ThrowsAsync<CscException>(() => _client.SignHashAsync(token, "officer", sad, [digest], Sha256, SignAlgo))).Failure);

        // The officer's application may not use the office seal, nor may anyone use an unknown credential.
        Assert.Equal(CscFailure.WrongCredential, (await Assert.ThrowsAsync<CscException>(() => _client.AuthorizeAsync(token, "office", [digest], Sha256))).Failure);
        Assert.Equal(CscFailure.WrongCredential, (await Assert.ThrowsAsync<CscException>(() => _client.CredentialInfoAsync(token, "nobody"))).Failure);
        Assert.Equal(["officer"], await _client.ListCredentialsAsync(token));
        Assert.Equal(CscFailure.ClientRejected, (await Assert.ThrowsAsync<CscException>(() => Client("officer-app", "wrong").ClientCredentialsTokenAsync())).Failure);

        // Nobody approves within the window: the request expires.
        var pending = await _client.SignHashAsync(token, "officer", await _client.AuthorizeAsync(token, "officer", [digest], Sha256), [digest], Sha256, SignAlgo);
        _clock.Advance(TimeSpan.FromMinutes(3));
        Assert.Equal(CscFailure.AuthorisationExpired, (await Assert.ThrowsAsync<CscException>(() => _client.PollAsync(token, pending.ResponseId!))).Failure);
        Assert.False(_provider.Deny(pending.ResponseId!));

        _provider.ExpireTokens();
        Assert.Equal(CscFailure.TokenExpired, (await Assert.ThrowsAsync<CscException>(() => _client.ListCredentialsAsync(token))).Failure);
    }

    [Fact]
    public async Task The_seal_signs_at_once_with_its_client_credentials_token()
    {
        var seal = Client("seal-app", "seal-secret");
        var key = await CscSigningKey.OpenAsync(seal, new ClientCredentialsTokenSource(seal, _clock), "office", clock: _clock);
        Assert.Equal("1", key.Credential.Scal);
        var digest = Digest("sealed copy");
        var signature = await key.SignDigestAsync(digest);
        Assert.True(SignatureValues.Verify(Pki.Pki.OfficeSeal.Certificate, key.Algorithm, digest, signature));
    }
}
