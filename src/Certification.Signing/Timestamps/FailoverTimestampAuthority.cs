using System.Security.Cryptography;

namespace Certification.Signing.Timestamps;

/// <summary>
/// Several time-stamping authorities in order of preference (the CA's primary TSA, then a second one): a
/// token comes from the first that gives one. Any RFC 3161 token of a trusted TSA serves the signature
/// equally (ETSI EN 319 142-1 § 5.3), so falling back changes nothing a verifier sees but the TSA's name.
/// </summary>
public sealed class FailoverTimestampAuthority : ITimestampAuthority
{
    private readonly IReadOnlyList<ITimestampAuthority> _authorities;

    public FailoverTimestampAuthority(IReadOnlyList<ITimestampAuthority> authorities)
    {
        ArgumentNullException.ThrowIfNull(authorities);
        if (authorities.Count == 0) throw new ArgumentException("At least one time-stamping authority is needed.", nameof(authorities));
        _authorities = authorities;
    }

    public IReadOnlyList<ITimestampAuthority> Authorities => _authorities;

    /// <exception cref="TimestampException">Every authority failed; the message names each failure.</exception>
    public async Task<byte[]> GetTimestampTokenAsync(byte[] digest, HashAlgorithmName hash, CancellationToken ct = default)
    {
        var failures = new List<TimestampException>();
        foreach (var authority in _authorities)
        {
            try
            {
                return await authority.GetTimestampTokenAsync(digest, hash, ct).ConfigureAwait(false);
            }
            catch (TimestampException e)
            {
                failures.Add(e);
            }
        }
        if (failures.Count == 1) throw failures[0];
        throw new TimestampException(string.Join(" Then: ", failures.Select(f => f.Message)), new AggregateException(failures));
    }
}
