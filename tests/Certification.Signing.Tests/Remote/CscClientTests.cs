using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Certification.Signing.Remote;
using Xunit;

namespace Certification.Signing.Tests.Remote;

/// <summary>
/// <see cref="CscClient"/> over recorded request/response pairs (Remote/csc-recordings.json): for every call it makes,
/// the request it sends must be the recorded one (method, path, bearer token, JSON or form body) and the recorded
/// answer must come back as the right value or the right <see cref="CscFailure"/>.
/// </summary>
public sealed class CscClientTests
{
    private const string Token = "4AqBcgE_0lD7cMQuV3DnqYkUrvBHkxk1cL6lG0J8Z5w";
    private static readonly byte[] Hash = Convert.FromBase64String("sTOgwOm+474gFj0q0x1iSNspKqbcse4IeiqlDg/HWuI=");
    private static readonly CscToken Bearer = new(Token, DateTimeOffset.UtcNow.AddHours(1));
    private static readonly CscAuthorisation Sad = new("_TiHRG-bAH3XlFQZ3ndFhkXf9P24_TiHRG-bAH3XlFQZ3ndFhkXf9P24", DateTimeOffset.UtcNow.AddMinutes(5));
    private const string Sha256Oid = "2.16.840.1.101.3.4.2.1";

    private static readonly Lazy<JsonObject> Recordings = new(() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Remote", "csc-recordings.json")))!["exchanges"]!.AsObject());

    private static (CscClient Client, Replay Replay) Client(params string[] exchanges)
    {
        var replay = new Replay(exchanges.Select(e => Recordings.Value[e]!.AsObject()));
        var client = new CscClient(new HttpClient(replay), new CscClientOptions
        {
            BaseUrl = new Uri("http://127.0.0.1:8088/csc/v2"),
            ClientId = "certification-tests",
            ClientSecret = "development-only-client-secret",
            RetryDelay = TimeSpan.FromMilliseconds(1),
        });
        return (client, replay);
    }

    [Fact]
    public async Task Info_lists_the_methods()
    {
        var (client, replay) = Client("info");
        var info = await client.InfoAsync();
        Assert.Equal("2.0.0.2", info.Specs);
        Assert.Equal(["oauth2code", "oauth2client"], info.AuthTypes);
        Assert.Contains("signatures/signPolling", info.Methods);
        replay.AssertDone();
    }

    [Fact]
    public async Task Info_is_tried_again_after_a_503_but_authorize_is_not()
    {
        var (client, replay) = Client("info-unavailable", "info");
        Assert.Equal("DEVELOPMENT remote signing provider", (await client.InfoAsync()).Name);
        replay.AssertDone();

        // A second authorize would issue a second SAD: one attempt only.
        (client, replay) = Client("credentials-authorize-unavailable");
        var e = await Assert.ThrowsAsync<CscException>(() => client.AuthorizeAsync(Bearer, "officer", [Hash], Sha256Oid, "Chứng thực bản sao số 7, sổ 2026/SCT-BS"));
        Assert.Equal(CscFailure.Unavailable, e.Failure);
        Assert.Equal(503, e.HttpStatus);
        replay.AssertDone();
    }

    [Fact]
    public async Task Client_credentials_token_and_a_rejected_client()
    {
        var (client, replay) = Client("token-client-credentials", "token-invalid-client");
        var token = await client.ClientCredentialsTokenAsync();
        Assert.Equal(Token, token.AccessToken);
        Assert.InRange(token.ExpiresAt, DateTimeOffset.UtcNow.AddMinutes(59), DateTimeOffset.UtcNow.AddMinutes(61));
        Assert.DoesNotContain(Token, token.ToString());
        var e = await Assert.ThrowsAsync<CscException>(() => client.ClientCredentialsTokenAsync());
        Assert.Equal(CscFailure.ClientRejected, e.Failure);
        Assert.DoesNotContain("development-only-client-secret", e.Message);
        replay.AssertDone();
    }

    [Fact]
    public async Task Authorization_code_with_pkce()
    {
        var (client, replay) = Client("token-authorization-code");
        var redirect = new Uri("http://127.0.0.1:5000/console/csc/callback");
        var begun = client.BeginAuthorizationCode(redirect, loginHint: "officer");
        var query = begun.AuthorizationUrl.Query.TrimStart('?').Split('&').Select(p => p.Split('=', 2))
            .ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1]));
        Assert.Equal("http://127.0.0.1:8088/csc/v2/oauth2/authorize", begun.AuthorizationUrl.GetLeftPart(UriPartial.Path));
        Assert.Equal("code", query["response_type"]);
        Assert.Equal("S256", query["code_challenge_method"]);
        Assert.Equal(CscClient.CodeChallenge(begun.CodeVerifier), query["code_challenge"]);
        Assert.Equal(begun.State, query["state"]);
        Assert.Equal("officer", query["login_hint"]);
        Assert.DoesNotContain(begun.CodeVerifier, begun.AuthorizationUrl.AbsoluteUri);
        // RFC 7636 Appendix B: the S256 challenge of this verifier.
        const string verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        Assert.Equal("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", CscClient.CodeChallenge(verifier));

        var token = await client.ExchangeCodeAsync(begun with { CodeVerifier = verifier }, "SplxlOBeZQQYbYS6WxSbIA");
        Assert.Equal("officer-token-7H2sKq9xV0eWmB4nR1cT", token.AccessToken);
        Assert.Equal("refresh-Yk3Lm0Pq", token.RefreshToken);
        replay.AssertDone();
    }

    [Fact]
    public async Task Credentials_list_and_info_and_an_expired_token()
    {
        var (client, replay) = Client("credentials-list", "credentials-info", "credentials-info-wrong-credential", "credentials-list-expired-token");
        Assert.Equal(["officer", "office", "ecdsa"], await client.ListCredentialsAsync(Bearer));
        var info = await client.CredentialInfoAsync(Bearer, "officer");
        Assert.Equal("2", info.Scal);
        Assert.Equal("oauth2code", info.AuthMode);
        Assert.Equal(2048, info.KeyLength);
        Assert.Equal(["1.2.840.113549.1.1.1"], info.KeyAlgorithms);
        Assert.Equal(3, info.Certificates.Count);
        Assert.Equal("LEAF-CERTIFICATE", Encoding.ASCII.GetString(info.Certificates[0]));
        Assert.Equal(CscFailure.WrongCredential, (await Assert.ThrowsAsync<CscException>(() => client.CredentialInfoAsync(Bearer, "nobody"))).Failure);
        var expired = await Assert.ThrowsAsync<CscException>(() => client.ListCredentialsAsync(Bearer));
        Assert.Equal(CscFailure.TokenExpired, expired.Failure);
        Assert.Contains("invalid_token", expired.Message);
        Assert.DoesNotContain(Token, expired.Message);
        replay.AssertDone();
    }

    [Fact]
    public async Task Authorize_then_signHash_asynchronously_then_poll_until_signed()
    {
        var (client, replay) = Client("credentials-authorize", "sign-hash-async", "sign-polling-pending", "sign-polling-signed");
        var sad = await client.AuthorizeAsync(Bearer, "officer", [Hash], Sha256Oid, "Chứng thực bản sao số 7, sổ 2026/SCT-BS");
        Assert.Equal(Sad.Sad, sad.Sad);
        Assert.DoesNotContain(Sad.Sad, sad.ToString());
        var started = await client.SignHashAsync(Bearer, "officer", sad, [Hash], Sha256Oid, "1.2.840.113549.1.1.11");
        Assert.Null(started.Signatures);
        Assert.Equal("e695b62aa764bea77d7bace16a89bd31", started.ResponseId);
        Assert.Null(await client.PollAsync(Bearer, started.ResponseId!));
        var signatures = await client.PollAsync(Bearer, started.ResponseId!);
        Assert.Equal("KedJuTob5gtvYx9qM3k3gm7kbLBwVbEQRl26S2tmXjqNND7MRGtoew==", Convert.ToBase64String(Assert.Single(signatures!)));
        replay.AssertDone();
    }

    [Fact]
    public async Task SignHash_synchronously_with_pss_parameters_and_a_response_uri()
    {
        var (client, replay) = Client("sign-hash-sync-pss");
        var parameters = Convert.FromBase64String("MDSgDzANBglghkgBZQMEAgEFAKEcMBoGCSqGSIb3DQEBCDANBglghkgBZQMEAgEFAKIDAgEg");
        var result = await client.SignHashAsync(Bearer, "office", Sad, [Hash], Sha256Oid, "1.2.840.113549.1.1.10", parameters, asynchronous: false,
            responseUri: new Uri("https://certification.example/csc/callback"));
        Assert.Single(result.Signatures!);
        replay.AssertDone();
    }

    [Theory]
    [InlineData("sign-hash-invalid-hash", CscFailure.HashNotAuthorised)]
    [InlineData("sign-polling-denied", CscFailure.Denied)]
    [InlineData("sign-polling-expired", CscFailure.AuthorisationExpired)]
    public async Task Refusals_name_their_reason(string exchange, CscFailure failure)
    {
        var (client, replay) = Client(exchange);
        var e = await Assert.ThrowsAsync<CscException>(() => exchange.StartsWith("sign-hash", StringComparison.Ordinal)
            ? client.SignHashAsync(Bearer, "officer", Sad, [Hash], Sha256Oid, "1.2.840.113549.1.1.11")
            : client.PollAsync(Bearer, "e695b62aa764bea77d7bace16a89bd31"));
        Assert.Equal(failure, e.Failure);
        var recorded = Recordings.Value[exchange]!["response"]!["json"]!;
        Assert.Equal(recorded["error"]!.GetValue<string>(), e.ProviderError);
        Assert.Contains(recorded["error_description"]!.GetValue<string>(), e.Message);
        replay.AssertDone();
    }

    /// <summary>Answers each request with the next recorded exchange, after checking the request is the recorded one.</summary>
    private sealed class Replay(IEnumerable<JsonObject> exchanges) : HttpMessageHandler
    {
        private readonly Queue<JsonObject> _exchanges = new(exchanges);

        public void AssertDone() => Assert.Empty(_exchanges);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            Assert.NotEmpty(_exchanges);
            var exchange = _exchanges.Dequeue();
            var expected = exchange["request"]!;
            Assert.Equal(expected["method"]!.GetValue<string>(), request.Method.Method);
            Assert.Equal("/csc/v2/" + expected["path"]!.GetValue<string>(), request.RequestUri!.AbsolutePath);
            Assert.Equal(expected["bearer"]?.GetValue<string>(), request.Headers.Authorization is { Scheme: "Bearer" } a ? a.Parameter : null);
            var body = await request.Content!.ReadAsStringAsync(ct);
            if (expected["json"] is { } json)
            {
                Assert.Equal("application/json", request.Content.Headers.ContentType?.MediaType);
                Assert.True(JsonNode.DeepEquals(json, JsonNode.Parse(body)), $"sent {body}\nrecorded {json.ToJsonString()}");
            }
            else
            {
                Assert.Equal("application/x-www-form-urlencoded", request.Content.Headers.ContentType?.MediaType);
                var sent = body.Split('&').Select(p => p.Split('=', 2))
                    .ToDictionary(p => Uri.UnescapeDataString(p[0].Replace('+', ' ')), p => Uri.UnescapeDataString(p[1].Replace('+', ' ')));
                Assert.Equal(expected["form"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>()), sent);
            }
            var answer = exchange["response"]!;
            var content = answer["json"] is { } j ? new StringContent(j.ToJsonString(), Encoding.UTF8, "application/json")
                : new StringContent(answer["text"]!.GetValue<string>(), Encoding.UTF8, "text/plain");
            return new HttpResponseMessage((HttpStatusCode)answer["status"]!.GetValue<int>()) { Content = content, RequestMessage = request };
        }
    }
}
