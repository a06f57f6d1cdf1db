using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using Certification.Api.Domain;
using Certification.Api.Features.Auth;
using Certification.Api.Infrastructure;
using Certification.Api.Options;
using Certification.Api.Problems;
using Certification.Signing.Cms;
using Certification.Signing.Remote;
using Microsoft.Extensions.Options;

namespace Certification.Api.Features.Certifications;

/// <summary>Where a remote signing request stands: waiting for the officer's approval, signed (the certified copy is
/// issued), or ended with the reason (<see cref="Problem"/>) and no number taken.</summary>
public sealed record RemoteSigningResponse(
    Guid Handle, string State, Guid CertificationId, long CertificationNumber, string Book, string? ProviderRequest, string? ApprovalUrl,
    DateTimeOffset ExpiresAt, CertificationResponse? Certification);

/// <summary>
/// The remote signing provider (CSC API v2) as this service uses it: one client and one client credentials token
/// for the whole service, the credentials bound to officers and office seals by configuration
/// (<see cref="RemoteSigningOptions"/>). In demo mode, with no provider configured, the development provider this
/// process serves under <c>/csc/v2/</c> is called in-process. Every call passes the resilience pipeline of the
/// trust services (<see cref="TrustServiceHttp"/>, options <see cref="RemoteSigningOptions.Resilience"/>): one
/// circuit per provider authority, retries only for the calls <see cref="CscClient.SafeToRepeat"/> marks.
/// </summary>
public sealed class RemoteCredentials
{
    /// <summary>The transport to the provider (primary handler, and any handler a host adds), inside the pipeline:
    /// its handlers see every attempt.</summary>
    public const string HttpClientName = "csc";

    /// <summary>A provider has one circuit for all its methods (they share its servers); GET is a read (CSC itself
    /// sends none: oauth2/authorize is the officer's browser).</summary>
    private static readonly TrustServiceCalls ProviderCalls = new()
    {
        SafeToRepeat = request => request.Method == HttpMethod.Get || request.Options.TryGetValue(CscClient.SafeToRepeat, out var safe) && safe,
        EndpointOf = uri => new Uri(uri.GetLeftPart(UriPartial.Authority)),
        RecordOutcomes = true,
    };

    private readonly ConcurrentDictionary<string, Lazy<Task<CscSigningKey>>> _seals = new(StringComparer.Ordinal);
    private readonly ClientCredentialsTokenSource? _tokens;
    private readonly RemoteSigningOptions _options;
    private readonly PublicBaseUrl _baseUrl;
    private readonly TimeProvider _clock;
    private readonly TrustServiceHealth _health;

    public RemoteCredentials(IHttpMessageHandlerFactory http, IOptions<CertificationOptions> options, PublicBaseUrl baseUrl, IServiceProvider services,
        TimeProvider clock, TrustServiceHealth health)
    {
        _options = options.Value.RemoteSigning;
        _baseUrl = baseUrl;
        _clock = clock;
        _health = health;
        Development = _options.ProviderUrl is null && options.Value.Demo ? services.GetService<DevelopmentRemoteSigning>() : null;
        if (_options.ProviderUrl is null && Development is null) return;
        var secret = Development?.ClientSecret ?? _options.ClientSecret;
        if (string.IsNullOrEmpty(secret))
            throw new OptionsValidationException(CertificationOptions.Section, typeof(RemoteSigningOptions),
                ["Certification:RemoteSigning:ClientSecret is required with Certification:RemoteSigning:ProviderUrl."]);
        var resilience = _options.Resilience;
        Client = new CscClient(TrustServiceHttp.Create(TrustServiceNames.RemoteSigning, http.CreateHandler(HttpClientName), resilience, health, ProviderCalls),
            new CscClientOptions
            {
                BaseUrl = _options.ProviderUrl is { } url ? new Uri(url) : Development!.BaseUrl(baseUrl.Value),
                OAuth2BaseUrl = _options.OAuth2Url is { } oauth ? new Uri(oauth) : null,
                ClientId = _options.ClientId,
                ClientSecret = secret,
                // The pipeline retries (the safe calls only) and times out; the client's own limit only backs it up.
                SafeRetries = 0,
                RequestTimeout = resilience.TotalTimeout + TimeSpan.FromSeconds(1),
            }, clock);
        _tokens = new ClientCredentialsTokenSource(Client, clock);
        // A provider nobody signs with is no dependency of certifications.
        if (_options.Officers.Count + _options.Seals.Count == 0) return;
        health.Watch(TrustServiceNames.RemoteSigning, resilience.BreakDuration);
        health.Register(TrustServiceNames.RemoteSigning, ProviderCalls.EndpointOf(Client.BaseUrl));
        health.Register(TrustServiceNames.RemoteSigning, ProviderCalls.EndpointOf(Client.OAuth2Url));
    }

    public CscClient? Client { get; }

    public DevelopmentRemoteSigning? Development { get; }

    public ICscTokenSource Tokens => _tokens ?? throw new ProblemException(ProblemTypes.RemoteSigningNotConfigured);

    /// <summary>The credential an officer signs with at the provider, or null when the officer signs otherwise.</summary>
    public string? OfficerCredential(Officer officer) => Client is null ? null : _options.Officers.GetValueOrDefault(officer.UserName);

    /// <summary>The officer's approval page: only the development provider has one this service knows (a real
    /// provider pushes the request to its own app).</summary>
    public Uri? ApprovalPage(string? responseId) =>
        Development is null || responseId is null ? null : new Uri(_baseUrl.Value, $"csc/approvals/{Uri.EscapeDataString(responseId)}");

    public async Task<CscCredentialInfo> CredentialAsync(string credentialId, CancellationToken ct)
    {
        var client = Client ?? throw new ProblemException(ProblemTypes.RemoteSigningNotConfigured);
        try
        {
            return await client.CredentialInfoAsync(await Tokens.GetAsync(ct), credentialId, ct);
        }
        catch (CscException e)
        {
            throw Problem(e);
        }
    }

    /// <summary>The office seal's key when the office's seal is held by the provider (client credentials, no approval);
    /// null when the seal is a key of the service. The provider's certificate must be the registered seal's.</summary>
    public async Task<ISigningKey?> SealAsync(Office office, SigningIdentity registered, CancellationToken ct)
    {
        if (Client is null || _options.Seals.GetValueOrDefault(office.Code) is not { } credentialId) return null;
        var opening = _seals.GetOrAdd(office.Code, _ => new Lazy<Task<CscSigningKey>>(() => CscSigningKey.OpenAsync(Client, Tokens, credentialId, clock: _clock)));
        CscSigningKey key;
        try
        {
            key = await opening.Value.WaitAsync(ct);
        }
        catch (CscException e)
        {
            _seals.TryRemove(office.Code, out _);
            throw Problem(e);
        }
        if (!key.CertificateChain[0].Equals(SigningKeys.Chain(registered)[0]))
        {
            _seals.TryRemove(office.Code, out _);
            throw new ProblemException(ProblemTypes.RemoteSigningWrongCredential,
                $"The provider's credential {credentialId} is not the registered seal certificate of office {office.Code}.");
        }
        return key;
    }

    /// <summary>The problem a failed CSC call ends with. A token the provider called invalid is forgotten, so the
    /// next request asks for a new one. An unreachable provider is temporary (503): when to try again, as for the
    /// trust services.</summary>
    public ProblemException Problem(CscException e)
    {
        if (e.Failure == CscFailure.TokenExpired) _tokens?.Invalidate();
        var unavailable = e.Failure == CscFailure.Unavailable
            ? new Dictionary<string, object?>
            {
                ["service"] = TrustServiceNames.RemoteSigning,
                ["retryAfterSeconds"] = (int)Math.Ceiling(_health.RetryAfter(TrustServiceNames.RemoteSigning).TotalSeconds),
                ["state"] = _health.StateOf(TrustServiceNames.RemoteSigning).ToString().ToLowerInvariant(),
            }
            : null;
        return new ProblemException(e.Failure switch
        {
            CscFailure.Denied => ProblemTypes.RemoteSigningDenied,
            CscFailure.TimedOut => ProblemTypes.RemoteSigningTimedOut,
            CscFailure.AuthorisationExpired => ProblemTypes.RemoteSigningAuthorisationExpired,
            CscFailure.TokenExpired => ProblemTypes.RemoteSigningTokenExpired,
            CscFailure.HashNotAuthorised => ProblemTypes.RemoteSigningHashNotAuthorised,
            CscFailure.WrongCredential => ProblemTypes.RemoteSigningWrongCredential,
            CscFailure.ClientRejected => ProblemTypes.RemoteSigningClientRejected,
            CscFailure.Refused => ProblemTypes.RemoteSigningRefused,
            _ => ProblemTypes.RemoteSigningUnavailable,
        }, e.Message, unavailable);
    }
}

/// <summary>Demo mode: the development CSC provider (docs/remote-signing.md) over the development PKI's demo
/// credentials, with this service as its one client (a secret generated per start unless configured).</summary>
public sealed class DevelopmentRemoteSigning
{
    public DevelopmentRemoteSigning(TrustServices trust, IOptions<CertificationOptions> options, TimeProvider clock)
    {
        var o = options.Value.RemoteSigning;
        ClientSecret = o.ClientSecret ?? CscClient.Base64Url(RandomNumberGenerator.GetBytes(32));
        var pki = trust.Pki ?? throw new InvalidOperationException("The development CSC provider needs the development PKI.");
        var credentials = DevelopmentCscProvider.DemoCredentials(pki);
        Provider = new DevelopmentCscProvider(credentials, [new DevelopmentCscClient(o.ClientId, ClientSecret, [.. credentials.Select(c => c.Id)])],
            new DevelopmentCscOptions { ApprovalDelay = o.DevelopmentApprovalDelay, ApprovalWindow = o.ApprovalTimeout + TimeSpan.FromMinutes(1) }, clock);
    }

    public DevelopmentCscProvider Provider { get; }

    public string ClientSecret { get; }

    public Uri BaseUrl(Uri publicBase) => new(publicBase, "csc/v2/");
}

/// <summary>
/// Certification by an officer whose key is at a remote signing provider: the copy is prepared with the book's next
/// number as a tentative one (<see cref="TwoStepSigning"/>), the provider is asked to sign its digest (SCAL2: the
/// authorisation covers exactly that hash), and the officer approves on the phone. Only when the signature comes back
/// is the copy sealed, stored and the number taken; a denied, cancelled, timed-out or refused request ends the
/// session, so no number is consumed and the document is back in the queue (its reason in the audit trail).
/// Requests in flight live in this process: after a restart their sessions expire as any two-step session does.
/// </summary>
public sealed class RemoteSigningFlow(IServiceScopeFactory scopes, RemoteCredentials remote, IOptions<CertificationOptions> options, TimeProvider clock,
    ILogger<RemoteSigningFlow> log)
{
    private static readonly TimeSpan KeptAfterEnd = TimeSpan.FromMinutes(10);
    private readonly ConcurrentDictionary<Guid, Flight> _flights = new();

    public async Task<RemoteSigningResponse> StartAsync(ClaimsPrincipal user, CertifyCommand command, CertificationIntake intake, TwoStepSigning twoStep, CancellationToken ct)
    {
        Prune();
        var officer = await intake.RequireOfficerAsync(user, ct);
        var credentialId = remote.OfficerCredential(officer) ?? throw new ProblemException(ProblemTypes.RemoteSigningNotConfigured);
        var credential = await remote.CredentialAsync(credentialId, ct);
        var registered = SigningKeys.Chain(await intake.PersonalIdentityAsync(officer, ct))[0];
        if (!new Org.BouncyCastle.X509.X509CertificateParser().ReadCertificate(credential.Certificates[0]).Equals(registered))
            throw new ProblemException(ProblemTypes.RemoteSigningWrongCredential,
                $"The provider's credential {credentialId} is not the officer's registered certificate.");

        var prepared = await twoStep.PrepareAsync(user, command, ct);
        var o = options.Value.RemoteSigning;
        var flight = new Flight(prepared, officer.Id, clock.GetUtcNow() + o.ApprovalTimeout);
        var key = new CscSigningKey(remote.Client!, remote.Tokens, credential, new CscApprovalOptions
        {
            Deadline = o.ApprovalTimeout,
            PollInterval = o.PollInterval,
            Description = $"Chứng thực bản sao số {prepared.CertificationNumber}, sổ {prepared.Book} / Certified copy no. {prepared.CertificationNumber}, book {prepared.Book}",
            Progress = flight,
        }, clock: clock);
        _flights[prepared.Handle] = flight;
        flight.Run = Task.Run(() => SignAsync(user, flight, key, Convert.FromBase64String(prepared.DataToSign)), CancellationToken.None);
        // Answer once the provider holds the request (or refused it at once), so the page can show its id.
        await Task.WhenAny(flight.Started.Task, flight.Run).WaitAsync(ct);
        return Status(flight);
    }

    public RemoteSigningResponse Status(ClaimsPrincipal user, Guid handle) => Status(Find(user, handle));

    public async Task<RemoteSigningResponse> CancelAsync(ClaimsPrincipal user, Guid handle)
    {
        var flight = Find(user, handle);
        await flight.Cancel.CancelAsync();
        await flight.Run!;
        return Status(flight);
    }

    private Flight Find(ClaimsPrincipal user, Guid handle)
    {
        if (!_flights.TryGetValue(handle, out var flight)) throw new ProblemException(ProblemTypes.NotFound, "No remote signing request with this handle.");
        if (flight.OfficerId != OfficerClaims.Id(user)) throw new ProblemException(ProblemTypes.Forbidden, "Only the officer who asked for a signature follows it.");
        return flight;
    }

    private RemoteSigningResponse Status(Flight flight)
    {
        if (flight.Failure is { } failure && failure.Type != ProblemTypes.RemoteSigningCancelled) throw failure;
        var p = flight.Prepared;
        var state = flight.Issued is not null ? "signed" : flight.Failure is not null ? "cancelled" : "waiting-for-approval";
        return new RemoteSigningResponse(p.Handle, state, p.CertificationId, p.CertificationNumber, p.Book, flight.ResponseId,
            remote.ApprovalPage(flight.ResponseId)?.AbsoluteUri, flight.Deadline, flight.Issued);
    }

    private async Task SignAsync(ClaimsPrincipal user, Flight flight, CscSigningKey key, byte[] digest)
    {
        var handle = flight.Prepared.Handle;
        try
        {
            var signature = await key.SignDigestAsync(digest, flight.Cancel.Token);
            using var scope = scopes.CreateScope();
            flight.Issued = await scope.ServiceProvider.GetRequiredService<TwoStepSigning>().CompleteAsync(user, handle,
                new CompleteSigningRequest(Convert.ToBase64String(signature), [.. key.CertificateChain.Select(c => Convert.ToBase64String(c.GetEncoded()))]),
                CancellationToken.None);
        }
        catch (OperationCanceledException) when (flight.Cancel.IsCancellationRequested)
        {
            await EndAsync(flight, new ProblemException(ProblemTypes.RemoteSigningCancelled, "Đã huỷ yêu cầu ký / The officer cancelled the request."));
        }
        catch (CscException e)
        {
            await EndAsync(flight, remote.Problem(e));
        }
        catch (ProblemException e)
        {
            await EndAsync(flight, e);
        }
        catch (Exception e)
        {
            log.LogError(e, "Remote signing {Handle} failed", handle);
            await EndAsync(flight, new ProblemException(ProblemTypes.InternalError));
        }
        finally
        {
            flight.Started.TrySetResult();
            flight.EndedAt = clock.GetUtcNow();
        }
    }

    /// <summary>Ends the session (no number was taken) and keeps the reason for the page that follows it.</summary>
    private async Task EndAsync(Flight flight, ProblemException reason)
    {
        log.LogInformation("Remote signing {Handle} ended: {Problem}", flight.Prepared.Handle, reason.Type.Slug);
        try
        {
            using var scope = scopes.CreateScope();
            await scope.ServiceProvider.GetRequiredService<TwoStepSigning>().AbandonAsync(flight.Prepared.Handle, reason.Type.Slug, CancellationToken.None);
        }
        catch (Exception e)
        {
            // The sweeper ends the session when it expires.
            log.LogError(e, "Ending the signing session {Handle} failed", flight.Prepared.Handle);
        }
        // Told only once the waiting copy is gone, so whoever follows the request never sees a half-ended one.
        flight.Failure = reason;
    }

    private void Prune()
    {
        var now = clock.GetUtcNow();
        foreach (var (handle, flight) in _flights)
            if (flight.EndedAt is { } ended && now - ended > KeptAfterEnd) _flights.TryRemove(handle, out _);
    }

    /// <summary>One request in flight; its own progress sink (reported synchronously by <see cref="CscSigningKey"/>).</summary>
    private sealed class Flight(PreparedSigningResponse prepared, int officerId, DateTimeOffset deadline) : IProgress<CscSigningProgress>
    {
        public PreparedSigningResponse Prepared { get; } = prepared;
        public int OfficerId { get; } = officerId;
        public DateTimeOffset Deadline { get; } = deadline;
        public CancellationTokenSource Cancel { get; } = new();
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public Task? Run { get; set; }
        public volatile string? ResponseId;
        public volatile CertificationResponse? Issued;
        public volatile ProblemException? Failure;
        public DateTimeOffset? EndedAt { get; set; }

        public void Report(CscSigningProgress value)
        {
            if (value.ResponseId is not null) ResponseId = value.ResponseId;
            if (value.Stage != CscSigningStage.Authorising) Started.TrySetResult();
        }
    }
}
