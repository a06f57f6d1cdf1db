namespace Certification.Signing.Remote;

/// <summary>Where a <see cref="CscSigningKey"/> gets its access token.</summary>
public interface ICscTokenSource
{
    Task<CscToken> GetAsync(CancellationToken ct);
}

/// <summary>The office seal's token by the client credentials grant, reused until a minute before it expires.</summary>
public sealed class ClientCredentialsTokenSource(CscClient client, TimeProvider? clock = null) : ICscTokenSource
{
    private static readonly TimeSpan Margin = TimeSpan.FromMinutes(1);
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private CscToken? _token;

    public async Task<CscToken> GetAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_token is null || _token.ExpiresAt - Margin <= _clock.GetUtcNow())
                _token = await client.ClientCredentialsTokenAsync(ct).ConfigureAwait(false);
            return _token;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Forgets the token (after the provider called it invalid), so the next call asks for a new one.</summary>
    public void Invalidate() => _token = null;
}

/// <summary>A token obtained elsewhere: the officer's, from the authorization code grant.</summary>
public sealed class FixedTokenSource(CscToken token) : ICscTokenSource
{
    public Task<CscToken> GetAsync(CancellationToken ct) => Task.FromResult(token);
}
