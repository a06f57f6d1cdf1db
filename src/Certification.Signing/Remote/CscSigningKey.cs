using Certification.Signing.Cms;
using Org.BouncyCastle.X509;

namespace Certification.Signing.Remote;

/// <summary>How long and how a <see cref="CscSigningKey"/> waits for the officer's approval.</summary>
public sealed record CscApprovalOptions
{
    /// <summary>How long the officer has to approve on the phone; default 2 minutes.</summary>
    public TimeSpan Deadline { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Pause between two signPolling calls; default 2 s.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Shown to the officer in the provider's app (CSC <c>description</c>), e.g. the document and its number.</summary>
    public string? Description { get; init; }

    /// <summary>Where the provider posts the result, when it supports <c>response_uri</c>; polling goes on meanwhile
    /// (at <see cref="PollInterval"/>) so a lost callback only costs time.</summary>
    public Uri? ResponseUri { get; init; }

    /// <summary>Completes with the signatures when the callback at <see cref="ResponseUri"/> arrives for a response id.</summary>
    public Func<string, CancellationToken, Task<IReadOnlyList<byte[]>>>? Callback { get; init; }

    public IProgress<CscSigningProgress>? Progress { get; init; }
}

/// <summary>
/// A key held by a remote signing provider, behind the same <see cref="ISigningKey"/> every other key source
/// implements, so the two-step PAdES pipeline signs with it unchanged. Each <see cref="SignDigestAsync"/> asks
/// <c>credentials/authorize</c> for activation data bound to exactly that digest (SCAL2), sends it to
/// <c>signatures/signHash</c> in asynchronous mode, and polls <c>signatures/signPolling</c> until the officer
/// approves, denies, the provider expires the request, the deadline passes or the caller cancels.
/// </summary>
public sealed class CscSigningKey : ISigningKey
{
    private readonly CscClient _client;
    private readonly ICscTokenSource _tokens;
    private readonly TimeProvider _clock;

    public CscSigningKey(CscClient client, ICscTokenSource tokens, CscCredentialInfo credential, CscApprovalOptions? approval = null,
        SignatureAlgorithm? algorithm = null, TimeProvider? clock = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _tokens = tokens ?? throw new ArgumentNullException(nameof(tokens));
        Credential = credential ?? throw new ArgumentNullException(nameof(credential));
        var parser = new X509CertificateParser();
        CertificateChain = credential.Certificates.Select(c => parser.ReadCertificate(c)).ToList();
        Algorithm = algorithm ?? SignatureAlgorithm.For(CertificateChain[0]);
        Approval = approval ?? new CscApprovalOptions();
        _clock = clock ?? TimeProvider.System;
        if (credential.KeyStatus != "enabled")
            throw new CscException(CscFailure.WrongCredential, $"Chứng thư số bị khoá / The remote credential {credential.CredentialId} is {credential.KeyStatus}.");
    }

    /// <summary>Reads the credential (<c>credentials/info</c>) and returns a key over it.</summary>
    public static async Task<CscSigningKey> OpenAsync(CscClient client, ICscTokenSource tokens, string credentialId, CscApprovalOptions? approval = null,
        SignatureAlgorithm? algorithm = null, TimeProvider? clock = null, CancellationToken ct = default)
    {
        var token = await tokens.GetAsync(ct).ConfigureAwait(false);
        var info = await client.CredentialInfoAsync(token, credentialId, ct).ConfigureAwait(false);
        return new CscSigningKey(client, tokens, info, approval, algorithm, clock);
    }

    public CscCredentialInfo Credential { get; }

    public CscApprovalOptions Approval { get; }

    public IReadOnlyList<X509Certificate> CertificateChain { get; }

    public SignatureAlgorithm Algorithm { get; }

    public async Task<byte[]> SignDigestAsync(byte[] digest, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(digest);
        var deadline = _clock.GetUtcNow() + Approval.Deadline;
        var hashOid = CmsOids.DigestOid(Algorithm.Hash).Id;
        var signAlgorithm = CmsOids.SignatureAlgorithmIdentifier(Algorithm);
        var parameters = Algorithm.Scheme == SignatureScheme.RsaPss ? signAlgorithm.Parameters.ToAsn1Object().GetEncoded(Org.BouncyCastle.Asn1.Asn1Encodable.Der) : null;

        Approval.Progress?.Report(new CscSigningProgress(CscSigningStage.Authorising, null, deadline));
        var token = await _tokens.GetAsync(cancellationToken).ConfigureAwait(false);
        var authorisation = await _client.AuthorizeAsync(token, Credential.CredentialId, [digest], hashOid, Approval.Description, cancellationToken).ConfigureAwait(false);
        var started = await _client.SignHashAsync(token, Credential.CredentialId, authorisation, [digest], hashOid, signAlgorithm.Algorithm.Id, parameters,
            asynchronous: true, Approval.ResponseUri, cancellationToken).ConfigureAwait(false);
        var signatures = started.Signatures ?? await WaitAsync(token, started.ResponseId!, deadline, cancellationToken).ConfigureAwait(false);
        if (signatures.Count != 1)
            throw new CscException(CscFailure.Unavailable, $"The signing provider returned {signatures.Count} signatures for one hash.");
        Approval.Progress?.Report(new CscSigningProgress(CscSigningStage.Signed, started.ResponseId, deadline));
        return Algorithm.Scheme == SignatureScheme.Ecdsa ? SignatureValues.EcdsaToDer(signatures[0]) : signatures[0];
    }

    /// <summary>Polls until the signatures come, the provider refuses, the deadline passes or the caller cancels;
    /// a callback, when configured, ends the wait as soon as it arrives.</summary>
    private async Task<IReadOnlyList<byte[]>> WaitAsync(CscToken token, string responseId, DateTimeOffset deadline, CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var callback = Approval.Callback?.Invoke(responseId, stop.Token);
        try
        {
            while (true)
            {
                Approval.Progress?.Report(new CscSigningProgress(CscSigningStage.WaitingForApproval, responseId, deadline));
                if (await _client.PollAsync(token, responseId, ct).ConfigureAwait(false) is { } signatures) return signatures;
                var left = deadline - _clock.GetUtcNow();
                if (left <= TimeSpan.Zero)
                    throw new CscException(CscFailure.TimedOut,
                        $"Hết thời gian chờ phê duyệt / Not approved within {Approval.Deadline.TotalSeconds:0} s (provider request {responseId}).");
                var pause = Task.Delay(left < Approval.PollInterval ? left : Approval.PollInterval, _clock, ct);
                if (callback is not null && await Task.WhenAny(pause, callback).ConfigureAwait(false) == callback && callback.IsCompletedSuccessfully)
                    return callback.Result;
                await pause.ConfigureAwait(false);
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
        }
    }
}
