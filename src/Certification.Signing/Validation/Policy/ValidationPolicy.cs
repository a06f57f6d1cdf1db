using Certification.Signing.Validation.Modifications;
using Certification.Signing.Validation.Report;

namespace Certification.Signing.Validation.Policy;

/// <summary>
/// What the validator accepts. Strictness is policy, not code (EU DSS "validation policy"): checks read
/// their thresholds here, so a service can be stricter without touching the rules.
/// </summary>
public sealed record ValidationPolicy
{
    public static readonly ValidationPolicy Default = new();

    /// <summary>Smallest acceptable RSA modulus (ETSI TS 119 312 recommends 2048 bits or more until 2030).</summary>
    public int MinRsaBits { get; init; } = 2048;

    /// <summary>Smallest acceptable elliptic-curve field size.</summary>
    public int MinEcBits { get; init; } = 256;

    /// <summary>Digest algorithms (by OID) that are refused for signatures and certificates: MD5, SHA-1.</summary>
    public IReadOnlySet<string> RejectedDigestOids { get; init; } = new HashSet<string>
    {
        "1.2.840.113549.2.5", // MD5
        "1.3.14.3.2.26",      // SHA-1
    };

    /// <summary>Changes after signing that still allow TOTAL_PASSED (DocMDP can only narrow this).</summary>
    public IReadOnlySet<ModificationKind> AllowedModifications { get; init; } = new HashSet<ModificationKind>
    {
        ModificationKind.None,
        ModificationKind.ValidationData,
        ModificationKind.SignaturesAndTimestamps,
    };

    /// <summary>The verdict when a change after signing reveals content that was already in the signed file
    /// but not shown (shadow attacks, Mainka et al., NDSS 2021): <see cref="CheckResult.Failed"/> (TOTAL_FAILED,
    /// the default) or, for a lenient policy that leaves the decision to a person, <see cref="CheckResult.Indeterminate"/>.
    /// The finding names the object, field and page either way.</summary>
    public CheckResult PreparedContentRevealed { get; init; } = CheckResult.Failed;

    /// <summary>When a certificate names a CRL or OCSP service, revocation status is required.</summary>
    public bool RequireRevocationWhenAvailable { get; init; } = true;

    /// <summary>Revocation data issued this long before the best signature time is still accepted when
    /// its nextUpdate does not cover that time (CRLs are typically issued hours apart).</summary>
    public TimeSpan RevocationFreshness { get; init; } = TimeSpan.FromDays(1);
}
