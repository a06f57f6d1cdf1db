using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Certification.Signing.Cms;
using Certification.Signing.Pki;

namespace Certification.Signing.Remote;

/// <summary>A request to the development CSC provider, as any host (HttpListener, ASP.NET Core) sees it.</summary>
/// <param name="Path">The path below <c>/csc/</c>, e.g. <c>v2/credentials/list</c> or <c>approvals/ID</c>.</param>
public sealed record CscHttpRequest(string Method, string Path, string Query, string? Authorization, string? ContentType, string? Accept, byte[] Body);

public sealed record CscHttpResponse(int Status, string ContentType, byte[] Body, string? Location = null);

/// <summary>A remote credential the development provider holds: a key of the development PKI.</summary>
/// <param name="Id">The CSC credentialID.</param>
/// <param name="Holder">The account whose authorization code grant may use it; null for an office seal, used
/// with the client credentials grant by the clients allowed to.</param>
/// <param name="Scal">"2": every authorisation is bound to the hashes to sign and each signature waits for the
/// holder's approval; "1": the seal signs as soon as it is asked.</param>
public sealed record DevelopmentCscCredential(string Id, IssuedCredential Key, string? Holder, string Scal = "2");

/// <summary>A client (a signing application) registered at the development provider.</summary>
/// <param name="Credentials">Credentials this client may use with its own (client credentials) token: office seals,
/// and personal credentials whose holder enrolled the application (each signature still waits for the holder's
/// approval, as with providers that push the request to the holder's phone).</param>
public sealed record DevelopmentCscClient(string ClientId, string ClientSecret, IReadOnlyList<string> Credentials)
{
    public override string ToString() => $"DevelopmentCscClient({ClientId})";
}

public sealed record DevelopmentCscOptions
{
    /// <summary>When set, a pending request approves itself this long after signHash (the officer "taps approve");
    /// when null it waits for <c>pki approve</c>, the approval page or <see cref="DevelopmentCscProvider.Approve"/>.</summary>
    public TimeSpan? ApprovalDelay { get; init; }

    /// <summary>A request nobody approves within this expires (<c>expired_token</c>); default 5 minutes.</summary>
    public TimeSpan ApprovalWindow { get; init; } = TimeSpan.FromMinutes(5);

    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Lifetime of signature activation data; default 5 minutes.</summary>
    public TimeSpan SadLifetime { get; init; } = TimeSpan.FromMinutes(5);
}

/// <summary>
/// A development remote signing provider speaking CSC API v2 under <c>/csc/v2/</c>, signing with keys of the
/// development PKI: <c>info</c> (GET and POST), <c>oauth2/authorize</c> (authorization code with PKCE S256),
/// <c>oauth2/token</c> (client credentials and authorization code), <c>credentials/list</c>, <c>credentials/info</c>,
/// <c>credentials/authorize</c> (SCAL2: the SAD covers exactly the hashes given), <c>signatures/signHash</c>
/// (operation modes A and S) and <c>signatures/signPolling</c>. A personal credential's signature waits for the
/// holder's approval: <c>/csc/approvals/{id}</c> is the page the officer opens ("the phone"), and
/// <c>POST /csc/approvals/{id}/approve|deny</c> is what the page and <c>pki approve|deny</c> send.
/// It refuses what a real provider refuses: another hash than the authorised one (<c>invalid_hash</c>), expired
/// activation data (<c>invalid_sad</c>), a credential that is not the caller's (<c>invalid_credential</c>), an
/// expired or unknown token (401 <c>invalid_token</c>), a denied (<c>access_denied</c>) or expired
/// (<c>expired_token</c>) approval. Nothing it holds is persisted: a restart forgets tokens and requests.
/// </summary>
public sealed class DevelopmentCscProvider
{
    public const string Specs = "2.0.0.2";

    /// <summary>Every method <c>info</c> lists, and only those this provider implements.</summary>
    public static readonly IReadOnlyList<string> Methods =
    [
        "info", "oauth2/authorize", "oauth2/token", "credentials/list", "credentials/info", "credentials/authorize",
        "signatures/signHash", "signatures/signPolling",
    ];

    private readonly Dictionary<string, DevelopmentCscCredential> _credentials;
    private readonly Dictionary<string, DevelopmentCscClient> _clients;
    private readonly ConcurrentDictionary<string, TokenGrant> _tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CodeGrant> _codes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SadGrant> _sads = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PendingRequest> _requests = new(StringComparer.Ordinal);
    private readonly TimeProvider _clock;

    public DevelopmentCscProvider(IEnumerable<DevelopmentCscCredential> credentials, IEnumerable<DevelopmentCscClient> clients,
        DevelopmentCscOptions? options = null, TimeProvider? clock = null)
    {
        _credentials = credentials.ToDictionary(c => c.Id, StringComparer.Ordinal);
        _clients = clients.ToDictionary(c => c.ClientId, StringComparer.Ordinal);
        Options = options ?? new DevelopmentCscOptions();
        _clock = clock ?? TimeProvider.System;
    }

    /// <summary>The demo credentials of a development PKI: <c>officer</c> (SCAL2, holder <c>officer</c>),
    /// <c>notary</c> (SCAL2, holder <c>notary</c>) and the office seal <c>office</c> (SCAL1, client credentials).</summary>
    public static IReadOnlyList<DevelopmentCscCredential> DemoCredentials(DevelopmentPki pki) =>
    [
        new("officer", pki.Officer, "officer"),
        new("notary", pki.Notary, "notary"),
        new("office", pki.OfficeSeal, null, "1"),
    ];

    public DevelopmentCscOptions Options { get; set; }

    /// <summary>Requests waiting for the holder's approval (for tests and the approval page).</summary>
    public IReadOnlyList<string> PendingRequestIds =>
        _requests.Values.Where(r => r.State == RequestState.Pending).OrderBy(r => r.CreatedAt).Select(r => r.Id).ToList();

    /// <summary>Makes every token issued so far expired, as a provider does when its tokens time out.</summary>
    public void ExpireTokens()
    {
        foreach (var (key, grant) in _tokens) _tokens[key] = grant with { ExpiresAt = DateTimeOffset.MinValue };
    }

    /// <summary>The holder approves: the request is signed. False when there is no such pending request.</summary>
    public bool Approve(string requestId) => Decide(requestId, approve: true);

    /// <summary>The holder denies: polling answers <c>access_denied</c>.</summary>
    public bool Deny(string requestId) => Decide(requestId, approve: false);

    private bool Decide(string requestId, bool approve)
    {
        if (!_requests.TryGetValue(requestId, out var request)) return false;
        lock (request)
        {
            Settle(request);
            if (request.State != RequestState.Pending) return false;
            if (approve) Sign(request);
            else request.State = RequestState.Denied;
            return true;
        }
    }

    // ---------------------------------------------------------------- dispatch

    public CscHttpResponse Handle(CscHttpRequest request)
    {
        try
        {
            var path = request.Path.Trim('/');
            return (request.Method, path) switch
            {
                ("GET" or "POST", "v2/info") => Json(200, Info()),
                ("GET", "v2/oauth2/authorize") => AuthorizePage(Form(request.Query)),
                ("POST", "v2/oauth2/authorize") => AuthorizeConsent(Form(Encoding.UTF8.GetString(request.Body))),
                ("POST", "v2/oauth2/token") => Token(Form(Encoding.UTF8.GetString(request.Body))),
                ("POST", "v2/credentials/list") => WithToken(request, (token, _) => CredentialsList(token)),
                ("POST", "v2/credentials/info") => WithToken(request, CredentialsInfo),
                ("POST", "v2/credentials/authorize") => WithToken(request, CredentialsAuthorize),
                ("POST", "v2/signatures/signHash") => WithToken(request, SignHash),
                ("POST", "v2/signatures/signPolling") => WithToken(request, SignPolling),
                ("GET", "approvals") => Json(200, new JsonObject { ["pending"] = new JsonArray(PendingRequestIds.Select(i => (JsonNode)i).ToArray()) }),
                ("GET", _) when path.StartsWith("approvals/", StringComparison.Ordinal) => ApprovalPage(path["approvals/".Length..]),
                ("POST", _) when path.StartsWith("approvals/", StringComparison.Ordinal) && path.EndsWith("/approve", StringComparison.Ordinal) =>
                    Decision(request, path["approvals/".Length..^"/approve".Length], approve: true),
                ("POST", _) when path.StartsWith("approvals/", StringComparison.Ordinal) && path.EndsWith("/deny", StringComparison.Ordinal) =>
                    Decision(request, path["approvals/".Length..^"/deny".Length], approve: false),
                _ => Error(404, "invalid_request", $"Unknown method {request.Method} /csc/{path}"),
            };
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException or InvalidOperationException or KeyNotFoundException or ArgumentException)
        {
            return Error(400, "invalid_request", e.Message);
        }
    }

    private JsonObject Info() => new()
    {
        ["specs"] = Specs,
        ["name"] = "DEVELOPMENT remote signing provider",
        ["logo"] = "",
        ["region"] = "VN",
        ["lang"] = "vi",
        ["description"] = "Nhà cung cấp ký số từ xa dùng cho phát triển / DEVELOPMENT remote signing provider: never trust its signatures.",
        ["authType"] = new JsonArray("oauth2code", "oauth2client"),
        ["oauth2"] = "",
        ["methods"] = new JsonArray(Methods.Select(m => (JsonNode)m).ToArray()),
    };

    // ---------------------------------------------------------------- OAuth 2.0

    private CscHttpResponse AuthorizePage(Dictionary<string, string> query)
    {
        var problem = CheckAuthorizeRequest(query);
        if (problem is not null) return problem;
        var hint = query.GetValueOrDefault("login_hint");
        var holders = _credentials.Values.Select(c => c.Holder).OfType<string>().Distinct().Where(h => hint is null || h == hint).ToList();
        var hidden = string.Concat(query.Select(p => $"<input type=\"hidden\" name=\"{Html(p.Key)}\" value=\"{Html(p.Value)}\">"));
        var accounts = string.Concat(holders.Select(h =>
            $"<button type=\"submit\" name=\"account\" value=\"{Html(h)}\">Cho phép với tài khoản {Html(h)} / Allow as {Html(h)}</button>"));
        return Page("Đăng nhập ký số từ xa / Remote signing sign-in",
            $"<p>Ứng dụng <b>{Html(query["client_id"])}</b> xin quyền ký bằng tài khoản của bạn. / The application asks to sign with your account.</p>" +
            $"<form method=\"post\" action=\"authorize\">{hidden}{accounts}</form>");
    }

    private CscHttpResponse? CheckAuthorizeRequest(Dictionary<string, string> query)
    {
        if (query.GetValueOrDefault("response_type") != "code") return Error(400, "unsupported_response_type", "response_type must be code");
        if (!_clients.ContainsKey(query.GetValueOrDefault("client_id") ?? "")) return Error(400, "invalid_client", "Unknown client_id");
        if (query.GetValueOrDefault("code_challenge_method") != "S256" || string.IsNullOrEmpty(query.GetValueOrDefault("code_challenge")))
            return Error(400, "invalid_request", "PKCE with code_challenge_method S256 is required (RFC 7636)");
        if (!Uri.TryCreate(query.GetValueOrDefault("redirect_uri"), UriKind.Absolute, out _)) return Error(400, "invalid_request", "redirect_uri is required");
        return null;
    }

    private CscHttpResponse AuthorizeConsent(Dictionary<string, string> form)
    {
        var problem = CheckAuthorizeRequest(form);
        if (problem is not null) return problem;
        var account = form.GetValueOrDefault("account");
        if (account is null || !_credentials.Values.Any(c => c.Holder == account)) return Error(400, "access_denied", "Unknown account");
        var code = NewSecret();
        _codes[code] = new CodeGrant(form["client_id"], account, form["redirect_uri"], form["code_challenge"], _clock.GetUtcNow().AddMinutes(2));
        var redirect = form["redirect_uri"];
        var location = $"{redirect}{(redirect.Contains('?') ? '&' : '?')}code={Uri.EscapeDataString(code)}" +
                       (form.TryGetValue("state", out var state) ? $"&state={Uri.EscapeDataString(state)}" : "");
        return new CscHttpResponse(302, "text/plain; charset=utf-8", [], location);
    }

    private CscHttpResponse Token(Dictionary<string, string> form)
    {
        if (!_clients.TryGetValue(form.GetValueOrDefault("client_id") ?? "", out var client) ||
            !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(client.ClientSecret), Encoding.UTF8.GetBytes(form.GetValueOrDefault("client_secret") ?? "")))
            return Error(401, "invalid_client", "Client authentication failed");
        string? holder;
        switch (form.GetValueOrDefault("grant_type"))
        {
            case "client_credentials":
                holder = null;
                break;
            case "authorization_code":
                if (!_codes.TryRemove(form.GetValueOrDefault("code") ?? "", out var grant) || grant.ExpiresAt <= _clock.GetUtcNow() || grant.ClientId != client.ClientId)
                    return Error(400, "invalid_grant", "The authorization code is unknown, used or expired");
                if (grant.RedirectUri != form.GetValueOrDefault("redirect_uri")) return Error(400, "invalid_grant", "redirect_uri differs from the authorization request");
                if (CscClient.CodeChallenge(form.GetValueOrDefault("code_verifier") ?? "") != grant.CodeChallenge)
                    return Error(400, "invalid_grant", "The PKCE code_verifier does not match the code_challenge");
                holder = grant.Holder;
                break;
            default:
                return Error(400, "unsupported_grant_type", "grant_type must be client_credentials or authorization_code");
        }
        var token = NewSecret();
        _tokens[token] = new TokenGrant(client.ClientId, holder, _clock.GetUtcNow() + Options.TokenLifetime);
        return Json(200, new JsonObject { ["access_token"] = token, ["token_type"] = "Bearer", ["expires_in"] = (long)Options.TokenLifetime.TotalSeconds });
    }

    private CscHttpResponse WithToken(CscHttpRequest request, Func<TokenGrant, JsonObject, CscHttpResponse> handler)
    {
        var bearer = request.Authorization is { } a && a.StartsWith("Bearer ", StringComparison.Ordinal) ? a["Bearer ".Length..] : null;
        if (bearer is null || !_tokens.TryGetValue(bearer, out var grant) || grant.ExpiresAt <= _clock.GetUtcNow())
            return Error(401, "invalid_token", "The access token is expired or unknown");
        var body = JsonNode.Parse(request.Body.Length == 0 ? "{}"u8 : request.Body) as JsonObject ?? throw new FormatException("The body is not a JSON object");
        return handler(grant, body);
    }

    private bool MayUse(TokenGrant token, DevelopmentCscCredential credential) =>
        token.Holder is null
            ? _clients.TryGetValue(token.ClientId, out var client) && client.Credentials.Contains(credential.Id)
            : token.Holder == credential.Holder;

    private DevelopmentCscCredential? Usable(TokenGrant token, JsonObject body) =>
        _credentials.TryGetValue(body["credentialID"]?.GetValue<string>() ?? "", out var credential) && MayUse(token, credential) ? credential : null;

    private static CscHttpResponse WrongCredential() => Error(400, "invalid_credential", "Invalid parameter credentialID: no such credential for this user");

    // ---------------------------------------------------------------- credentials

    private CscHttpResponse CredentialsList(TokenGrant token) =>
        Json(200, new JsonObject { ["credentialIDs"] = new JsonArray(_credentials.Values.Where(c => MayUse(token, c)).Select(c => (JsonNode)c.Id).ToArray()) });

    private CscHttpResponse CredentialsInfo(TokenGrant token, JsonObject body)
    {
        if (Usable(token, body) is not { } credential) return WrongCredential();
        var certificate = credential.Key.Certificate;
        var (algorithm, length) = credential.Key.PrivateKey switch
        {
            RSA rsa => ("1.2.840.113549.1.1.1", rsa.KeySize),
            ECDsa ec => ("1.2.840.10045.2.1", ec.KeySize),
            _ => throw new InvalidOperationException("Unsupported key"),
        };
        return Json(200, new JsonObject
        {
            ["description"] = $"{certificate.SubjectDN} (DEVELOPMENT)",
            ["signatureQualifier"] = "eu_eidas_aes",
            ["key"] = new JsonObject { ["status"] = "enabled", ["algo"] = new JsonArray(algorithm), ["len"] = length },
            ["cert"] = new JsonObject
            {
                ["status"] = "valid",
                ["certificates"] = new JsonArray(credential.Key.Chain.Select(c => (JsonNode)Convert.ToBase64String(c.GetEncoded())).ToArray()),
            },
            ["auth"] = new JsonObject { ["mode"] = credential.Holder is null ? "implicit" : "oauth2code" },
            ["SCAL"] = credential.Scal,
            ["multisign"] = 1,
        });
    }

    private CscHttpResponse CredentialsAuthorize(TokenGrant token, JsonObject body)
    {
        if (Usable(token, body) is not { } credential) return WrongCredential();
        var count = body["numSignatures"]?.GetValue<int>() ?? 0;
        var hashes = body["hashes"]?.AsArray().Select(h => h!.GetValue<string>()).ToList() ?? [];
        if (count < 1) return Error(400, "invalid_request", "numSignatures must be at least 1");
        if (credential.Scal == "2" && hashes.Count != count)
            return Error(400, "invalid_request", "SCAL2: hashes must list exactly the numSignatures hashes to authorise");
        var sad = NewSecret();
        _sads[sad] = new SadGrant(credential.Id, credential.Scal == "2" ? hashes.ToHashSet(StringComparer.Ordinal) : null, count,
            _clock.GetUtcNow() + Options.SadLifetime, body["description"]?.GetValue<string>());
        return Json(200, new JsonObject { ["SAD"] = sad, ["expiresIn"] = (long)Options.SadLifetime.TotalSeconds });
    }

    // ---------------------------------------------------------------- signatures

    private CscHttpResponse SignHash(TokenGrant token, JsonObject body)
    {
        if (Usable(token, body) is not { } credential) return WrongCredential();
        var sadValue = body["SAD"]?.GetValue<string>() ?? "";
        if (!_sads.TryGetValue(sadValue, out var sad) || sad.CredentialId != credential.Id)
            return Error(400, "invalid_sad", "Invalid parameter SAD: not issued for this credential");
        if (sad.ExpiresAt <= _clock.GetUtcNow()) return Error(400, "invalid_sad", "The SAD expired");
        var hashes = body["hashes"]?.AsArray().Select(h => h!.GetValue<string>()).ToList() ?? [];
        if (hashes.Count == 0) return Error(400, "invalid_request", "Missing parameter hashes");
        if (sad.Hashes is not null && !hashes.All(sad.Hashes.Contains))
            return Error(400, "invalid_hash", "Hash not authorised by the SAD (SCAL2 binds the SAD to the authorised hashes)");
        lock (sad)
        {
            if (sad.Remaining < hashes.Count) return Error(400, "invalid_sad", "The SAD authorised fewer signatures; it is used up");
            sad.Remaining -= hashes.Count;
        }
        var scheme = SchemeOf(body["signAlgo"]?.GetValue<string>() ?? "", body["hashAlgorithmOID"]?.GetValue<string>(), credential.Key.PrivateKey);
        var request = new PendingRequest(NewId(), credential, hashes.Select(Convert.FromBase64String).ToList(), scheme, _clock.GetUtcNow(),
            sad.Description);
        var asynchronous = body["operationMode"]?.GetValue<string>() == "A";
        if (credential.Holder is null)
        {
            // SCAL1 seal: no holder to ask.
            Sign(request);
            return Json(200, SignaturesBody(request, asynchronous));
        }
        if (!asynchronous) return Error(400, "invalid_request", "This credential waits for the holder's approval: use operationMode A and signatures/signPolling");
        _requests[request.Id] = request;
        return Json(202, new JsonObject { ["responseID"] = request.Id });
    }

    private CscHttpResponse SignPolling(TokenGrant token, JsonObject body)
    {
        if (!_requests.TryGetValue(body["responseID"]?.GetValue<string>() ?? "", out var request) || !MayUse(token, request.Credential))
            return Error(400, "invalid_request", "Invalid parameter responseID");
        lock (request)
        {
            Settle(request);
            return request.State switch
            {
                RequestState.Signed => Json(200, SignaturesBody(request, false)),
                RequestState.Denied => Error(400, "access_denied", "The user denied the signature request"),
                RequestState.Expired => Error(400, "expired_token", "The signature request expired before the user approved it"),
                _ => Error(400, "authorization_pending", "The user has not approved the signature request yet"),
            };
        }
    }

    /// <summary>Applies the configured approval delay and the approval window to a pending request.</summary>
    private void Settle(PendingRequest request)
    {
        if (request.State != RequestState.Pending) return;
        var age = _clock.GetUtcNow() - request.CreatedAt;
        if (age >= Options.ApprovalWindow) request.State = RequestState.Expired;
        else if (Options.ApprovalDelay is { } delay && age >= delay) Sign(request);
    }

    private static JsonObject SignaturesBody(PendingRequest request, bool withId)
    {
        var body = new JsonObject { ["signatures"] = new JsonArray(request.Signatures!.Select(s => (JsonNode)Convert.ToBase64String(s)).ToArray()) };
        if (withId) body["responseID"] = request.Id;
        return body;
    }

    private static void Sign(PendingRequest request)
    {
        var key = request.Credential.Key.PrivateKey;
        request.Signatures = request.Hashes.Select(hash => request.Scheme.Scheme switch
        {
            SignatureScheme.RsaPkcs1 => ((RSA)key).SignHash(hash, request.Scheme.Hash, RSASignaturePadding.Pkcs1),
            SignatureScheme.RsaPss => ((RSA)key).SignHash(hash, request.Scheme.Hash, RSASignaturePadding.Pss),
            _ => ((ECDsa)key).SignHash(hash, DSASignatureFormat.Rfc3279DerSequence),
        }).ToList();
        request.State = RequestState.Signed;
    }

    /// <summary>The signature scheme a signAlgo OID names (RFC 8017 / RFC 5758 OIDs), checked against the key.</summary>
    private static SignatureAlgorithm SchemeOf(string signAlgo, string? hashOid, AsymmetricAlgorithm key)
    {
        var hash = (hashOid is null ? null : CmsOids.HashFromOid(hashOid)) ?? HashAlgorithmName.SHA256;
        var algorithm = signAlgo switch
        {
            "1.2.840.113549.1.1.1" => new SignatureAlgorithm(SignatureScheme.RsaPkcs1, hash),
            "1.2.840.113549.1.1.11" => new SignatureAlgorithm(SignatureScheme.RsaPkcs1, HashAlgorithmName.SHA256),
            "1.2.840.113549.1.1.12" => new SignatureAlgorithm(SignatureScheme.RsaPkcs1, HashAlgorithmName.SHA384),
            "1.2.840.113549.1.1.13" => new SignatureAlgorithm(SignatureScheme.RsaPkcs1, HashAlgorithmName.SHA512),
            "1.2.840.113549.1.1.10" => new SignatureAlgorithm(SignatureScheme.RsaPss, hash),
            "1.2.840.10045.4.3.2" => new SignatureAlgorithm(SignatureScheme.Ecdsa, HashAlgorithmName.SHA256),
            "1.2.840.10045.4.3.3" => new SignatureAlgorithm(SignatureScheme.Ecdsa, HashAlgorithmName.SHA384),
            "1.2.840.10045.4.3.4" => new SignatureAlgorithm(SignatureScheme.Ecdsa, HashAlgorithmName.SHA512),
            _ => throw new ArgumentException($"Invalid parameter signAlgo: {signAlgo} is not supported"),
        };
        if (key is RSA != (algorithm.Scheme != SignatureScheme.Ecdsa))
            throw new ArgumentException($"Invalid parameter signAlgo: {signAlgo} does not fit the credential's key");
        return algorithm;
    }

    // ---------------------------------------------------------------- approval page

    private CscHttpResponse ApprovalPage(string id)
    {
        if (!_requests.TryGetValue(id, out var request)) return Page("Không có yêu cầu / No such request", "<p>Yêu cầu ký không tồn tại. / There is no such signature request.</p>", 404);
        string state;
        lock (request)
        {
            Settle(request);
            state = request.State switch
            {
                RequestState.Signed => "<p id=\"state\" data-state=\"signed\">Đã phê duyệt và ký. / Approved and signed.</p>",
                RequestState.Denied => "<p id=\"state\" data-state=\"denied\">Đã từ chối. / Denied.</p>",
                RequestState.Expired => "<p id=\"state\" data-state=\"expired\">Yêu cầu đã hết hạn. / The request expired.</p>",
                _ => $"<p id=\"state\" data-state=\"pending\">Đang chờ bạn phê duyệt (còn {(int)(request.CreatedAt + Options.ApprovalWindow - _clock.GetUtcNow()).TotalSeconds} giây). / Waiting for your approval.</p>" +
                     $"<form method=\"post\" action=\"{Html(id)}/approve\"><button id=\"approve\" type=\"submit\">Phê duyệt / Approve</button></form>" +
                     $"<form method=\"post\" action=\"{Html(id)}/deny\"><button id=\"deny\" type=\"submit\">Từ chối / Deny</button></form>",
            };
        }
        var hashes = string.Join("<br>", request.Hashes.Select(h => Convert.ToHexString(h)));
        return Page("Phê duyệt ký số / Approve a signature",
            $"<dl><dt>Yêu cầu / Request</dt><dd id=\"request\">{Html(id)}</dd><dt>Chứng thư / Credential</dt><dd>{Html(request.Credential.Id)}: {Html(request.Credential.Key.Certificate.SubjectDN.ToString())}</dd>" +
            $"<dt>Nội dung / Description</dt><dd>{Html(request.Description ?? "")}</dd><dt>Mã băm / Hash</dt><dd><code>{hashes}</code></dd></dl>{state}");
    }

    private CscHttpResponse Decision(CscHttpRequest http, string id, bool approve)
    {
        var decided = Decide(id, approve);
        if (http.Accept?.Contains("application/json", StringComparison.Ordinal) == true || http.ContentType?.Contains("json", StringComparison.Ordinal) == true)
            return decided ? Json(200, new JsonObject { ["responseID"] = id, ["state"] = approve ? "signed" : "denied" })
                : Error(409, "invalid_request", "No pending signature request with this id");
        return new CscHttpResponse(303, "text/plain; charset=utf-8", [], $"../{Uri.EscapeDataString(id)}");
    }

    // ---------------------------------------------------------------- helpers

    private static CscHttpResponse Json(int status, JsonObject body) => new(status, "application/json; charset=utf-8", Encoding.UTF8.GetBytes(body.ToJsonString()));

    private static CscHttpResponse Error(int status, string error, string description) =>
        Json(status, new JsonObject { ["error"] = error, ["error_description"] = description });

    private static CscHttpResponse Page(string title, string body, int status = 200) => new(status, "text/html; charset=utf-8", Encoding.UTF8.GetBytes(
        $"<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>{Html(title)}</title></head>" +
        $"<body><p><b>DEVELOPMENT</b></p><h1>{Html(title)}</h1>{body}</body></html>"));

    private static string Html(string text) => WebUtility.HtmlEncode(text);

    private static Dictionary<string, string> Form(string encoded) =>
        encoded.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .GroupBy(p => Uri.UnescapeDataString(p[0].Replace('+', ' ')), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => Uri.UnescapeDataString((g.Last().Length > 1 ? g.Last()[1] : "").Replace('+', ' ')), StringComparer.Ordinal);

    private static string NewSecret() => CscClient.Base64Url(RandomNumberGenerator.GetBytes(32));

    private static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    private sealed record TokenGrant(string ClientId, string? Holder, DateTimeOffset ExpiresAt);

    private sealed record CodeGrant(string ClientId, string Holder, string RedirectUri, string CodeChallenge, DateTimeOffset ExpiresAt);

    private sealed class SadGrant(string credentialId, HashSet<string>? hashes, int remaining, DateTimeOffset expiresAt, string? description)
    {
        public string? Description { get; } = description;
        public string CredentialId { get; } = credentialId;
        public HashSet<string>? Hashes { get; } = hashes;
        public int Remaining { get; set; } = remaining;
        public DateTimeOffset ExpiresAt { get; } = expiresAt;
    }

    private enum RequestState { Pending, Signed, Denied, Expired }

    private sealed class PendingRequest(string id, DevelopmentCscCredential credential, List<byte[]> hashes, SignatureAlgorithm scheme, DateTimeOffset createdAt, string? description)
    {
        public string Id { get; } = id;
        public DevelopmentCscCredential Credential { get; } = credential;
        public List<byte[]> Hashes { get; } = hashes;
        public SignatureAlgorithm Scheme { get; } = scheme;
        public DateTimeOffset CreatedAt { get; } = createdAt;
        public string? Description { get; } = description;
        public RequestState State { get; set; }
        public List<byte[]>? Signatures { get; set; }
    }
}
