using System.Security.Cryptography;
using System.Text;
using Certification.Signing.Validation.Facts;
using Org.BouncyCastle.X509;

namespace Certification.Signing.Trust;

/// <summary>What an anchor is trusted for. A Vietnamese verifier keeps these apart: officers' and office
/// seals' public-duty signatures chain to the Government CA (Decree 68/2024), other signatures to the
/// national public-CA root (Decree 23/2025), timestamps to trusted timestamp authorities.</summary>
public enum TrustPurpose
{
    /// <summary>Signatures of public duty (Government Cipher Committee's Government CA).</summary>
    PublicDutySignatures,

    /// <summary>Signatures certified by licensed public CAs under the national root (NEAC).</summary>
    PublicCaSignatures,

    /// <summary>RFC 3161 timestamps.</summary>
    Timestamps,
}

/// <summary>A trusted service's status (ETSI TS 119 612 § 5.5.4: granted or withdrawn).</summary>
public enum TrustStatus
{
    Granted,
    Withdrawn,
}

/// <summary>A status in force from <see cref="From"/> until the next change (TS 119 612 § 5.5.5 StatusStartingTime).</summary>
public sealed record TrustStatusChange(TrustStatus Status, DateTimeOffset From);

/// <summary>One trusted certificate for one purpose, with its status history, oldest first. An empty
/// history means trusted at any time (a certificate configured directly, without dates).</summary>
public sealed record TrustedAnchor(X509Certificate Certificate, TrustPurpose Purpose, IReadOnlyList<TrustStatusChange> History, string Source, string Name)
{
    public string Fingerprint { get; } = Convert.ToHexStringLower(SHA256.HashData(Certificate.GetEncoded()));

    /// <summary>The status in force at <paramref name="time"/>; null before the first grant.</summary>
    public TrustStatus? StatusAt(DateTimeOffset time)
    {
        if (History.Count == 0) return TrustStatus.Granted;
        TrustStatus? status = null;
        foreach (var change in History)
            if (change.From <= time) status = change.Status;
        return status;
    }

    /// <summary>The status now, for listings.</summary>
    public TrustStatus CurrentStatus => History.Count == 0 ? TrustStatus.Granted : History[^1].Status;

    /// <summary>Why the anchor was not granted at <paramref name="time"/>, or null when it was.</summary>
    public string? NotGrantedReason(DateTimeOffset time)
    {
        var status = StatusAt(time);
        if (status == TrustStatus.Granted) return null;
        var subject = Validation.Checks.CertificateChainCheck.CommonName(Certificate);
        if (status is null)
            return $"'{subject}' ({Source}) is granted only from {History.First(h => h.Status == TrustStatus.Granted).From:u}, after {time:u}";
        var withdrawn = History.Last(h => h.From <= time);
        return $"'{subject}' ({Source}) was withdrawn on {withdrawn.From:u}, before {time:u}";
    }
}

/// <summary>
/// The anchors the verifier trusts, per purpose and with history (ETSI EN 319 102-1 § 5.2.6 and TS 119 612
/// § 5.5: validation uses an anchor's status at the signature's proof-of-existence time). Immutable: a
/// reload builds a new store. <see cref="Version"/> names its content and is shown in every report.
/// </summary>
public sealed class TrustStore
{
    public TrustStore(IReadOnlyList<TrustedAnchor> anchors, IReadOnlyList<TrustSourceStatus> sources, DateTimeOffset loadedAt)
    {
        Anchors = anchors;
        Sources = sources;
        LoadedAt = loadedAt;
        var text = new StringBuilder();
        foreach (var a in anchors.OrderBy(a => a.Fingerprint, StringComparer.Ordinal).ThenBy(a => a.Purpose))
        {
            text.Append(a.Fingerprint).Append(' ').Append(a.Purpose).Append(' ').Append(a.Source);
            foreach (var h in a.History) text.Append(' ').Append(h.Status).Append('@').Append(h.From.ToUnixTimeSeconds());
            text.Append('\n');
        }
        Version = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }

    public static readonly TrustStore Empty = new([], [], DateTimeOffset.UnixEpoch);

    public IReadOnlyList<TrustedAnchor> Anchors { get; }

    /// <summary>Where the anchors came from, and what happened on the last load of each source.</summary>
    public IReadOnlyList<TrustSourceStatus> Sources { get; }

    public DateTimeOffset LoadedAt { get; }

    /// <summary>16 hex digits of SHA-256 over every anchor, purpose, source and status change.</summary>
    public string Version { get; }

    /// <summary>Certificates configured directly (issue 3's --trust and TrustAnchorsFile): trusted for every purpose, always.</summary>
    public static TrustStore FromCertificates(IEnumerable<X509Certificate> certificates, string source = "configured anchors") =>
        new(certificates.Distinct().SelectMany(c => Enum.GetValues<TrustPurpose>()
                .Select(p => new TrustedAnchor(c, p, [], source, Validation.Checks.CertificateChainCheck.CommonName(c)))).ToList(),
            [], DateTimeOffset.UnixEpoch);

    /// <summary>Distinct certificates trusted (at some time) for any of <paramref name="purposes"/>.</summary>
    public IReadOnlyList<X509Certificate> CertificatesFor(params TrustPurpose[] purposes) =>
        Anchors.Where(a => purposes.Contains(a.Purpose)).Select(a => a.Certificate).Distinct().ToList();

    /// <summary>The anchor entries for the last certificate of a trusted path, among <paramref name="purposes"/>.</summary>
    public IReadOnlyList<TrustedAnchor> EntriesFor(X509Certificate certificate, params TrustPurpose[] purposes) =>
        Anchors.Where(a => purposes.Contains(a.Purpose) &&
                           (a.Certificate.Equals(certificate) || (a.Certificate.SubjectDN.Equivalent(certificate.SubjectDN) && PublicKeys.SameKey(a.Certificate, certificate))))
            .ToList();

    /// <summary>Finds anchors by fingerprint prefix (at least 8 hex digits) or by a part of the subject's common name.</summary>
    public IReadOnlyList<TrustedAnchor> Find(string query) =>
        Anchors.Where(a => (query.Length >= 8 && a.Fingerprint.StartsWith(query, StringComparison.OrdinalIgnoreCase)) ||
                           a.Name.Contains(query, StringComparison.OrdinalIgnoreCase) ||
                           Validation.Checks.CertificateChainCheck.CommonName(a.Certificate).Contains(query, StringComparison.OrdinalIgnoreCase))
            .ToList();
}

/// <summary>One configured source after a load: accepted now, or rejected (and the previous version kept).</summary>
public sealed record TrustSourceStatus(string Name, string Kind, bool Accepted, string Message, int? SequenceNumber = null, DateTimeOffset? NextUpdate = null);

/// <summary>A trust source that must not be used: an unsigned, tampered or expired trusted list, an unreadable bundle.</summary>
public sealed class TrustSourceRejectedException(string message, Exception? inner = null) : Exception(message, inner);
