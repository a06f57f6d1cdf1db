namespace Certification.Signing.Revocation;

/// <summary>
/// Revocation evidence as it goes into a PDF's /DSS (ISO 32000-2 § 12.8.4.3; ETSI EN 319 142-1 § 5.4.2):
/// DER CRLs (/CRLs) and DER OCSPResponse structures, the full response with its responseStatus (/OCSPs).
/// </summary>
public sealed record RevocationData(IReadOnlyList<byte[]> Crls, IReadOnlyList<byte[]> OcspResponses)
{
    public static readonly RevocationData Empty = new([], []);

    public bool IsEmpty => Crls.Count == 0 && OcspResponses.Count == 0;

    /// <summary>Both lists concatenated, byte-identical duplicates dropped.</summary>
    public RevocationData Merge(RevocationData other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new RevocationData(Distinct(Crls.Concat(other.Crls)), Distinct(OcspResponses.Concat(other.OcspResponses)));
    }

    private static List<byte[]> Distinct(IEnumerable<byte[]> items)
    {
        var result = new List<byte[]>();
        foreach (var item in items)
            if (!result.Any(r => r.AsSpan().SequenceEqual(item)))
                result.Add(item);
        return result;
    }
}

/// <summary>What revocation evidence says about one certificate.</summary>
public enum RevocationState
{
    /// <summary>Evidence says the certificate is not revoked.</summary>
    Good,
    /// <summary>Evidence says the certificate is revoked.</summary>
    Revoked,
    /// <summary>No usable evidence about this certificate (none found, not signed by an acceptable party,
    /// OCSP "unknown").</summary>
    Unknown,
}

/// <summary>The revocation status of one certificate, and where it comes from.</summary>
/// <param name="Source">"OCSP http://..." or "CRL http://..." or a short description.</param>
public sealed record RevocationStatus(RevocationState State, DateTimeOffset? RevokedAt = null, RevocationReason? Reason = null, string? Source = null)
{
    public static readonly RevocationStatus Unknown = new(RevocationState.Unknown);
}

/// <summary>Revocation data could not be obtained for a certificate that points to some.</summary>
public sealed class RevocationFetchException(string message, Exception? inner = null) : Exception(message, inner);
