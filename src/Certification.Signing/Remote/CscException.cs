namespace Certification.Signing.Remote;

/// <summary>Why a remote signing (CSC API) call did not give a signature. Ordered from the officer's
/// decisions to the provider's refusals to transport failures.</summary>
public enum CscFailure
{
    /// <summary>The officer refused the request in the provider's app (OAuth2 <c>access_denied</c>).</summary>
    Denied,
    /// <summary>Nobody approved before our deadline (the caller's wait ran out).</summary>
    TimedOut,
    /// <summary>The provider let the pending request or the signature activation data (SAD) expire.</summary>
    AuthorisationExpired,
    /// <summary>The access token is expired, revoked or unknown (RFC 6750 <c>invalid_token</c>).</summary>
    TokenExpired,
    /// <summary>signHash asked for a hash the SAD does not cover (SCAL2 binding, CSC API v2 § 8.2).</summary>
    HashNotAuthorised,
    /// <summary>The credential does not exist, is disabled, or does not belong to the token's user or client.</summary>
    WrongCredential,
    /// <summary>Client authentication failed (wrong client id or secret, OAuth2 <c>invalid_client</c>).</summary>
    ClientRejected,
    /// <summary>Any other refusal the provider stated.</summary>
    Refused,
    /// <summary>The provider could not be reached, did not answer in time, or answered something that is not CSC.</summary>
    Unavailable,
}

/// <summary>A CSC API call failed. <see cref="Message"/> names the provider's own reason (its <c>error</c>
/// and <c>error_description</c>); it never contains tokens, SADs or secrets.</summary>
public sealed class CscException(CscFailure failure, string message, string? providerError = null, int? httpStatus = null, Exception? inner = null)
    : Exception(message, inner)
{
    public CscFailure Failure { get; } = failure;

    /// <summary>The provider's <c>error</c> code, when it sent one.</summary>
    public string? ProviderError { get; } = providerError;

    public int? HttpStatus { get; } = httpStatus;
}
