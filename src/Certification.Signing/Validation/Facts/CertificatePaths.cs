using Certification.Signing.Cms;
using Org.BouncyCastle.X509;

namespace Certification.Signing.Validation.Facts;

/// <summary>A certification path, leaf first (RFC 5280 § 6), and what is known about each certificate's status.</summary>
public sealed class CertificatePath
{
    public required IReadOnlyList<X509Certificate> Certificates { get; init; }

    /// <summary>True when the last certificate is a configured trust anchor.</summary>
    public required bool Trusted { get; init; }

    /// <summary>Revocation results for each certificate except the trust anchor, in path order.</summary>
    public List<RevocationOutcome> Revocation { get; } = [];

    public X509Certificate Leaf => Certificates[0];
}

/// <summary>
/// Builds paths by name chaining and signature verification (RFC 5280 § 6.1 without policy processing):
/// certificates from the CMS, the DSS and fetched via AIA form the pool, the trust anchors end the path.
/// Signature checks are cached, since several signatures usually share one chain.
/// </summary>
public sealed class CertificatePathBuilder(IReadOnlyList<X509Certificate> anchors)
{
    private const int MaxDepth = 12;
    private readonly Dictionary<(X509Certificate, X509Certificate), bool> _signedBy = [];

    public bool IsAnchor(X509Certificate certificate) =>
        anchors.Any(a => a.Equals(certificate) || (a.SubjectDN.Equivalent(certificate.SubjectDN) && PublicKeys.SameKey(a, certificate)));

    public bool SignedBy(X509Certificate certificate, X509Certificate issuer)
    {
        if (_signedBy.TryGetValue((certificate, issuer), out var known)) return known;
        var result = certificate.IssuerDN.Equivalent(issuer.SubjectDN) && FastSignatures.CertificateSignedBy(certificate, issuer);
        _signedBy[(certificate, issuer)] = result;
        return result;
    }

    public CertificatePath Build(X509Certificate leaf, IEnumerable<X509Certificate> pool)
    {
        var candidates = pool.Distinct().ToList();
        var best = new List<X509Certificate> { leaf };
        var found = Search([leaf]);
        return found is not null
            ? new CertificatePath { Certificates = found, Trusted = true }
            : new CertificatePath { Certificates = best, Trusted = false };

        List<X509Certificate>? Search(List<X509Certificate> chain)
        {
            var current = chain[^1];
            if (chain.Count > best.Count) best = [.. chain];
            if (IsAnchor(current)) return chain;
            if (chain.Count >= MaxDepth) return null;
            foreach (var anchor in anchors)
            {
                if (SignedBy(current, anchor)) return [.. chain, anchor];
            }
            if (CertificateChains.IsSelfIssued(current)) return null;
            foreach (var issuer in candidates)
            {
                if (chain.Contains(issuer) || !SignedBy(current, issuer)) continue;
                if (Search([.. chain, issuer]) is { } path) return path;
            }
            return null;
        }
    }

    /// <summary>The issuer of a certificate among the pool and the anchors, if any verifies.</summary>
    public X509Certificate? FindIssuer(X509Certificate certificate, IEnumerable<X509Certificate> pool) =>
        anchors.Concat(pool).FirstOrDefault(c => !c.Equals(certificate) && SignedBy(certificate, c));
}
