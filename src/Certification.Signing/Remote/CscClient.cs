using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Certification.Signing.Remote;

/// <summary>Where a CSC provider lives and how this service identifies itself to it. The client secret comes
/// from configuration or the environment only; it is sent in the token request body and never logged.</summary>
public sealed record CscClientOptions
{
    /// <summary>The CSC API base, ending in <c>/csc/v2/</c> (methods such as <c>credentials/list</c> are relative to it).</summary>
    public required Uri BaseUrl { get; init; }

    /// <summary>Base of the OAuth 2.0 authorization server (<c>oauth2/token</c>, <c>oauth2/authorize</c> relative to it);
    /// default <see cref="BaseUrl"/>, as the development provider and most providers answering <c>info.oauth2</c> do.</summary>
    public Uri? OAuth2BaseUrl { get; init; }

    public required string ClientId { get; init; }

    public required string ClientSecret { get; init; }

    /// <summary>For one HTTP exchange; default 30 s. Waiting for the officer is bounded separately (<see cref="CscSigningKey"/>).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often read-only calls (info, credentials/list, credentials/info, signPolling, the client-credentials
    /// token) are tried again after a connection failure or a 502/503/504; default 2. Calls that create something at the
    /// provider (authorize, signHash, the code exchange) are never repeated: a second signHash would put a second
    /// request on the officer's phone. A host whose <see cref="HttpClient"/> retries by itself sets 0 and asks
    /// <see cref="CscClient.SafeToRepeat"/> which requests it may repeat.</summary>
    public int SafeRetries { get; init; } = 2;

    /// <summary>Pause before the first retry (doubled after each); default 200 ms.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Language asked for in provider texts (CSC <c>lang</c>, RFC 5646).</summary>
    public string Language { get; init; } = "vi";

    public override string ToString() => $"CscClientOptions({BaseUrl}, client {ClientId})";
}

/// <summary>
/// A client of the Cloud Signature Consortium API v2 (CSC API v2.0.0.2): <c>info</c>, OAuth 2.0 (client credentials
/// for an office seal, authorization code with PKCE, RFC 7636, for an officer's own account), <c>credentials/list</c>,
/// <c>credentials/info</c>, <c>credentials/authorize</c>, <c>signatures/signHash</c> and <c>signatures/signPolling</c>.
/// Errors are <see cref="CscException"/> naming the provider's <c>error</c> and <c>error_description</c>.
/// No ASP.NET; the <see cref="HttpClient"/> is the caller's (so a host can add its own handlers).
/// </summary>
public sealed class CscClient
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Set on every request this client sends: true for the read-only calls and the client-credentials token,
    /// false for those that create something at the provider (authorize, signHash, the code exchange), so a retrying
    /// handler of the host repeats only the former.</summary>
    public static readonly HttpRequestOptionsKey<bool> SafeToRepeat = new("Certification.Csc.SafeToRepeat");
    private readonly HttpClient _http;
    private readonly TimeProvider _clock;

    public CscClient(HttpClient http, CscClientOptions options, TimeProvider? clock = null)
    {
        _http = http ?? throw new ArgumentNullException(nameof(http));
        Options = options ?? throw new ArgumentNullException(nameof(options));
        if (!options.BaseUrl.IsAbsoluteUri || options.BaseUrl.Scheme is not ("http" or "https"))
            throw new ArgumentException($"The CSC base URL must be an absolute http(s) URL, not '{options.BaseUrl}'.", nameof(options));
        BaseUrl = WithSlash(options.BaseUrl);
        OAuth2Url = WithSlash(options.OAuth2BaseUrl ?? options.BaseUrl);
        _clock = clock ?? TimeProvider.System;
    }

    public CscClientOptions Options { get; }

    public Uri BaseUrl { get; }

    public Uri OAuth2Url { get; }

    // ---------------------------------------------------------------- info and OAuth 2.0

    /// <summary><c>info</c> (§ 11.1): read-only, retried when harmless.</summary>
    public async Task<CscInfo> InfoAsync(CancellationToken ct = default)
    {
        var body = await PostJsonAsync("info", new JsonObject { ["lang"] = Options.Language }, token: null, safe: true, ct);
        return body.Deserialize<CscInfo>(Json) ?? throw NotCsc("info", "an empty answer");
    }

    /// <summary>Client credentials grant (RFC 6749 § 4.4): the office seal's service token, no user involved.</summary>
    public Task<CscToken> ClientCredentialsTokenAsync(CancellationToken ct = default) =>
        TokenAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["scope"] = "service",
        }, safe: true, ct);

    /// <summary>Starts the authorization code grant with PKCE (RFC 7636, S256): the URL to send the officer's browser
    /// to, and the verifier and state to keep until the provider redirects back.</summary>
    /// <param name="loginHint">The officer's account at the provider, when known.</param>
    public CscAuthorizationCodeRequest BeginAuthorizationCode(Uri redirectUri, string? loginHint = null)
    {
        ArgumentNullException.ThrowIfNull(redirectUri);
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        var state = Base64Url(RandomNumberGenerator.GetBytes(16));
        var query = new List<KeyValuePair<string, string>>
        {
            new("response_type", "code"),
            new("client_id", Options.ClientId),
            new("redirect_uri", redirectUri.AbsoluteUri),
            new("scope", "service"),
            new("code_challenge", CodeChallenge(verifier)),
            new("code_challenge_method", "S256"),
            new("state", state),
            new("lang", Options.Language),
        };
        if (loginHint is not null) query.Add(new("login_hint", loginHint));
        var url = new Uri(OAuth2Url, "oauth2/authorize?" + string.Join('&', query.Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value)}")));
        return new CscAuthorizationCodeRequest(url, verifier, state, redirectUri);
    }

    /// <summary>The S256 code challenge of a PKCE verifier (RFC 7636 § 4.2).</summary>
    public static string CodeChallenge(string verifier) => Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    /// <summary>Redeems the code the provider redirected back with (single use: never retried).</summary>
    public Task<CscToken> ExchangeCodeAsync(CscAuthorizationCodeRequest request, string code, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(code);
        return TokenAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = request.RedirectUri.AbsoluteUri,
            ["code_verifier"] = request.CodeVerifier,
        }, safe: false, ct);
    }

    private async Task<CscToken> TokenAsync(Dictionary<string, string> form, bool safe, CancellationToken ct)
    {
        form["client_id"] = Options.ClientId;
        form["client_secret"] = Options.ClientSecret;
        var body = await SendAsync("oauth2/token", () => new FormUrlEncodedContent(form), token: null, safe, ct, OAuth2Url);
        var accessToken = body["access_token"]?.GetValue<string>();
        if (string.IsNullOrEmpty(accessToken)) throw NotCsc("oauth2/token", "no access_token");
        var expiresIn = body["expires_in"]?.GetValue<long>() ?? 3600;
        return new CscToken(accessToken, _clock.GetUtcNow().AddSeconds(expiresIn), body["refresh_token"]?.GetValue<string>());
    }

    // ---------------------------------------------------------------- credentials

    /// <summary><c>credentials/list</c> (§ 11.4): the credential ids the token may use.</summary>
    public async Task<IReadOnlyList<string>> ListCredentialsAsync(CscToken token, CancellationToken ct = default)
    {
        var body = await PostJsonAsync("credentials/list", new JsonObject { ["lang"] = Options.Language }, token, safe: true, ct);
        return body["credentialIDs"]?.AsArray().Select(n => n!.GetValue<string>()).ToList() ?? throw NotCsc("credentials/list", "no credentialIDs");
    }

    /// <summary><c>credentials/info</c> (§ 11.5) with the whole certificate chain.</summary>
    public async Task<CscCredentialInfo> CredentialInfoAsync(CscToken token, string credentialId, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(credentialId);
        var body = await PostJsonAsync("credentials/info", new JsonObject
        {
            ["credentialID"] = credentialId,
            ["certificates"] = "chain",
            ["certInfo"] = false,
            ["authInfo"] = true,
            ["lang"] = Options.Language,
        }, token, safe: true, ct);
        var key = body["key"] as JsonObject ?? throw NotCsc("credentials/info", "no key");
        var cert = body["cert"] as JsonObject ?? throw NotCsc("credentials/info", "no cert");
        var certificates = cert["certificates"]?.AsArray().Select(n => Convert.FromBase64String(n!.GetValue<string>())).ToList();
        if (certificates is not { Count: > 0 }) throw NotCsc("credentials/info", "no certificates");
        return new CscCredentialInfo
        {
            CredentialId = credentialId,
            Description = body["description"]?.GetValue<string>(),
            KeyAlgorithms = key["algo"]?.AsArray().Select(n => n!.GetValue<string>()).ToList() ?? [],
            KeyLength = key["len"]?.GetValue<int>() ?? 0,
            KeyStatus = key["status"]?.GetValue<string>() ?? "enabled",
            Certificates = certificates,
            Scal = body["SCAL"]?.GetValue<string>() ?? "1",
            AuthMode = (body["auth"] as JsonObject)?["mode"]?.GetValue<string>() ?? body["authMode"]?.GetValue<string>(),
            Multisign = body["multisign"]?.GetValue<int>() ?? 1,
        };
    }

    /// <summary><c>credentials/authorize</c> (§ 11.6): signature activation data for exactly these hashes (SCAL2 binds
    /// the SAD to them). Not retried: each call issues a new SAD.</summary>
    public async Task<CscAuthorisation> AuthorizeAsync(CscToken token, string credentialId, IReadOnlyList<byte[]> hashes, string hashAlgorithmOid,
        string? description = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(credentialId);
        if (hashes.Count == 0) throw new ArgumentException("Give at least one hash to authorise.", nameof(hashes));
        var request = new JsonObject
        {
            ["credentialID"] = credentialId,
            ["numSignatures"] = hashes.Count,
            ["hashes"] = new JsonArray(hashes.Select(h => (JsonNode)Convert.ToBase64String(h)).ToArray()),
            ["hashAlgorithmOID"] = hashAlgorithmOid,
        };
        if (description is not null) request["description"] = description;
        var body = await PostJsonAsync("credentials/authorize", request, token, safe: false, ct);
        var sad = body["SAD"]?.GetValue<string>();
        if (string.IsNullOrEmpty(sad)) throw NotCsc("credentials/authorize", "no SAD");
        return new CscAuthorisation(sad, _clock.GetUtcNow().AddSeconds(body["expiresIn"]?.GetValue<long>() ?? 3600));
    }

    // ---------------------------------------------------------------- signatures

    /// <summary><c>signatures/signHash</c> (§ 11.9). <paramref name="asynchronous"/> asks for operation mode "A": the
    /// provider answers with a response id at once and holds the request until the officer approves. Not retried.</summary>
    /// <param name="signAlgorithmOid">e.g. sha256WithRSAEncryption, id-RSASSA-PSS, ecdsa-with-SHA256.</param>
    /// <param name="signAlgorithmParameters">DER of the algorithm parameters (RSASSA-PSS-params), when the algorithm has them.</param>
    /// <param name="responseUri">Where a provider that supports it posts the result (CSC <c>response_uri</c>).</param>
    public async Task<CscSignHashResult> SignHashAsync(CscToken token, string credentialId, CscAuthorisation authorisation, IReadOnlyList<byte[]> hashes,
        string hashAlgorithmOid, string signAlgorithmOid, byte[]? signAlgorithmParameters = null, bool asynchronous = true, Uri? responseUri = null,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(authorisation);
        var request = new JsonObject
        {
            ["credentialID"] = credentialId,
            ["SAD"] = authorisation.Sad,
            ["hashes"] = new JsonArray(hashes.Select(h => (JsonNode)Convert.ToBase64String(h)).ToArray()),
            ["hashAlgorithmOID"] = hashAlgorithmOid,
            ["signAlgo"] = signAlgorithmOid,
            ["operationMode"] = asynchronous ? "A" : "S",
        };
        if (signAlgorithmParameters is not null) request["signAlgoParams"] = Convert.ToBase64String(signAlgorithmParameters);
        if (responseUri is not null) request["response_uri"] = responseUri.AbsoluteUri;
        var body = await PostJsonAsync("signatures/signHash", request, token, safe: false, ct);
        var result = new CscSignHashResult(Signatures(body), body["responseID"]?.GetValue<string>());
        return result is { Signatures: null, ResponseId: null } ? throw NotCsc("signatures/signHash", "neither signatures nor a responseID") : result;
    }

    /// <summary><c>signatures/signPolling</c> (§ 11.15): the signatures of an asynchronous request, or null while the
    /// provider still waits for the officer (HTTP 202, or the RFC 8628 style <c>authorization_pending</c> error).
    /// Read-only, so retried when harmless.</summary>
    public async Task<IReadOnlyList<byte[]>?> PollAsync(CscToken token, string responseId, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(responseId);
        try
        {
            var body = await PostJsonAsync("signatures/signPolling", new JsonObject { ["responseID"] = responseId }, token, safe: true, ct);
            return Signatures(body);
        }
        catch (CscException e) when (e.ProviderError is "authorization_pending" or "pending")
        {
            return null;
        }
    }

    private static List<byte[]>? Signatures(JsonObject body) =>
        body["signatures"]?.AsArray().Select(n => Convert.FromBase64String(n!.GetValue<string>())).ToList();

    // ---------------------------------------------------------------- transport

    private Task<JsonObject> PostJsonAsync(string method, JsonObject request, CscToken? token, bool safe, CancellationToken ct) =>
        SendAsync(method, () => new StringContent(request.ToJsonString(), Encoding.UTF8, "application/json"), token, safe, ct, BaseUrl);

    /// <summary>One CSC call: a fresh request per attempt, a timeout per attempt, retries only for <paramref name="safe"/>
    /// calls and only after a connection failure or a gateway error.</summary>
    private async Task<JsonObject> SendAsync(string method, Func<HttpContent> content, CscToken? token, bool safe, CancellationToken ct, Uri baseUrl)
    {
        var url = new Uri(baseUrl, method);
        var attempts = safe ? 1 + Math.Max(0, Options.SafeRetries) : 1;
        var delay = Options.RetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(Options.RequestTimeout);
            try
            {
                using var message = new HttpRequestMessage(HttpMethod.Post, url) { Content = content() };
                message.Options.Set(SafeToRepeat, safe);
                message.Headers.Accept.ParseAdd("application/json");
                if (token is not null) message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.AccessToken);
                using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
                var text = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
                if (response.StatusCode is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout && attempt < attempts)
                {
                    await Task.Delay(delay, _clock, ct).ConfigureAwait(false);
                    delay *= 2;
                    continue;
                }
                var body = Parse(text);
                if (response.StatusCode == HttpStatusCode.Accepted && method == "signatures/signPolling" && body?["signatures"] is null)
                    throw new CscException(CscFailure.Refused, "pending", "authorization_pending", 202);
                if (!response.IsSuccessStatusCode) throw Refusal(method, (int)response.StatusCode, body, text);
                return body ?? throw NotCsc(method, $"HTTP {(int)response.StatusCode} with no JSON object");
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                if (attempt < attempts) continue;
                throw new CscException(CscFailure.Unavailable,
                    $"Nhà cung cấp ký số không trả lời / The signing provider did not answer {method} within {Options.RequestTimeout.TotalSeconds:0.#} s ({BaseUrl}).");
            }
            catch (HttpRequestException e)
            {
                if (attempt < attempts)
                {
                    await Task.Delay(delay, _clock, ct).ConfigureAwait(false);
                    delay *= 2;
                    continue;
                }
                throw new CscException(CscFailure.Unavailable,
                    $"Không kết nối được nhà cung cấp ký số / The signing provider cannot be reached ({url}): {e.Message}", inner: e);
            }
        }
    }

    private static JsonObject? Parse(string text)
    {
        try
        {
            return JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Classifies a provider's refusal by its <c>error</c> code (OAuth 2.0 / RFC 6750 / RFC 8628 names, and the CSC
    /// descriptions of § 10.2), keeping its own words in the message.</summary>
    private static CscException Refusal(string method, int status, JsonObject? body, string text)
    {
        var error = body?["error"]?.GetValue<string>();
        var description = body?["error_description"]?.GetValue<string>();
        var said = error is null ? $"HTTP {status}: {Shorten(text)}" : description is null ? error : $"{error}: {description}";
        var lower = (description ?? "").ToLowerInvariant();
        var failure = error switch
        {
            "access_denied" => CscFailure.Denied,
            "expired_token" or "expired_sad" => CscFailure.AuthorisationExpired,
            "invalid_token" => CscFailure.TokenExpired,
            "invalid_client" or "unauthorized_client" => CscFailure.ClientRejected,
            "invalid_hash" => CscFailure.HashNotAuthorised,
            "invalid_credential" => CscFailure.WrongCredential,
            "invalid_sad" when lower.Contains("expired") => CscFailure.AuthorisationExpired,
            "invalid_request" when lower.Contains("hash") => CscFailure.HashNotAuthorised,
            "invalid_request" when lower.Contains("credentialid") || lower.Contains("credential") => CscFailure.WrongCredential,
            "invalid_request" when lower.Contains("sad") && lower.Contains("expired") => CscFailure.AuthorisationExpired,
            _ when status == 401 => CscFailure.TokenExpired,
            // No CSC error, and the provider is failing or overloaded (not refusing): try again later.
            _ when status >= 500 || status is 408 or 429 => CscFailure.Unavailable,
            _ => CscFailure.Refused,
        };
        return new CscException(failure, $"Nhà cung cấp ký số từ chối {method} / The signing provider refused {method}: {said}", error, status);
    }

    private static string Shorten(string text) => text.Length <= 200 ? text.Trim() : text[..200].Trim() + "…";

    private CscException NotCsc(string method, string what) =>
        new(CscFailure.Unavailable, $"Câu trả lời không theo CSC / The signing provider's answer to {method} is not CSC API: {what} ({BaseUrl}).");

    private static Uri WithSlash(Uri url) => url.AbsoluteUri.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/");

    public static string Base64Url(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>An authorization code grant in flight: where to send the officer, and what to keep for the exchange.
/// <see cref="ToString"/> hides the PKCE verifier.</summary>
public sealed record CscAuthorizationCodeRequest(Uri AuthorizationUrl, string CodeVerifier, string State, Uri RedirectUri)
{
    public override string ToString() => $"CscAuthorizationCodeRequest({RedirectUri})";
}
