using System.Text.Json.Serialization;

namespace Certification.Signing.Remote;

/// <summary>The provider's answer to <c>info</c> (CSC API v2 § 11.1): who it is, how to log in, what it implements.</summary>
public sealed record CscInfo
{
    [JsonPropertyName("specs")] public string Specs { get; init; } = "";
    [JsonPropertyName("name")] public string Name { get; init; } = "";
    [JsonPropertyName("logo")] public string? Logo { get; init; }
    [JsonPropertyName("region")] public string? Region { get; init; }
    [JsonPropertyName("lang")] public string? Lang { get; init; }
    [JsonPropertyName("description")] public string? Description { get; init; }
    /// <summary>e.g. <c>oauth2code</c>, <c>oauth2client</c>, <c>explicit</c>.</summary>
    [JsonPropertyName("authType")] public IReadOnlyList<string> AuthTypes { get; init; } = [];
    /// <summary>Base URI of the OAuth 2.0 authorization server; <c>oauth2/token</c> etc. are relative to it.</summary>
    [JsonPropertyName("oauth2")] public string? OAuth2 { get; init; }
    [JsonPropertyName("methods")] public IReadOnlyList<string> Methods { get; init; } = [];
}

/// <summary>An OAuth 2.0 access token (RFC 6749 § 5.1). <see cref="ToString"/> never shows the token.</summary>
public sealed record CscToken(string AccessToken, DateTimeOffset ExpiresAt, string? RefreshToken = null)
{
    public override string ToString() => $"CscToken(expires {ExpiresAt:O})";
}

/// <summary>What <c>credentials/info</c> (CSC API v2 § 11.5) says about one credential.</summary>
public sealed record CscCredentialInfo
{
    public required string CredentialId { get; init; }
    public string? Description { get; init; }
    /// <summary>Key algorithm OIDs (e.g. rsaEncryption, id-ecPublicKey).</summary>
    public required IReadOnlyList<string> KeyAlgorithms { get; init; }
    public int KeyLength { get; init; }
    public string KeyStatus { get; init; } = "enabled";
    /// <summary>The certificate chain, signer first, DER.</summary>
    public required IReadOnlyList<byte[]> Certificates { get; init; }
    /// <summary>"1": the service may authorise signatures itself; "2": each authorisation is bound to the hashes to sign.</summary>
    public required string Scal { get; init; }
    /// <summary>How the credential is authorised: <c>implicit</c>, <c>explicit</c>, <c>oauth2code</c>.</summary>
    public string? AuthMode { get; init; }
    public int Multisign { get; init; } = 1;
}

/// <summary>Signature activation data from <c>credentials/authorize</c> (CSC API v2 § 11.6). Never logged.</summary>
public sealed record CscAuthorisation(string Sad, DateTimeOffset ExpiresAt)
{
    public override string ToString() => $"CscAuthorisation(expires {ExpiresAt:O})";
}

/// <summary>The answer to <c>signatures/signHash</c>: the signatures at once (operation mode "S", or a provider
/// that answered immediately), or the response id to poll (operation mode "A", CSC API v2 § 11.9).</summary>
public sealed record CscSignHashResult(IReadOnlyList<byte[]>? Signatures, string? ResponseId);

/// <summary>Where a remote signature stands, for a progress line or an "approve on your phone" page.</summary>
public enum CscSigningStage
{
    /// <summary>Asking the provider for signature activation data bound to the hash.</summary>
    Authorising,
    /// <summary>The provider holds the request until the officer approves in its app.</summary>
    WaitingForApproval,
    /// <summary>The signature value came back.</summary>
    Signed,
}

/// <param name="ResponseId">The provider's id of the pending request (what the officer sees in the app and
/// what <c>pki approve</c> takes); null before signHash.</param>
/// <param name="Deadline">When we stop waiting.</param>
public sealed record CscSigningProgress(CscSigningStage Stage, string? ResponseId, DateTimeOffset Deadline);
