namespace Certification.Signing.Revocation;

/// <summary>CRLReason, with the codes of RFC 5280 § 5.3.1 (value 7 is unused).</summary>
public enum RevocationReason
{
    /// <summary>No reason given.</summary>
    Unspecified = 0,
    /// <summary>The subject's private key is (suspected to be) compromised.</summary>
    KeyCompromise = 1,
    /// <summary>The issuing CA's key is compromised.</summary>
    CACompromise = 2,
    /// <summary>The subject's name or other information changed (e.g. the officer moved office).</summary>
    AffiliationChanged = 3,
    /// <summary>The certificate was replaced.</summary>
    Superseded = 4,
    /// <summary>The certificate is no longer needed (e.g. the officer left the post).</summary>
    CessationOfOperation = 5,
    /// <summary>Temporarily suspended.</summary>
    CertificateHold = 6,
    /// <summary>Only in delta CRLs: a hold was released.</summary>
    RemoveFromCrl = 8,
    /// <summary>A privilege asserted in the certificate was withdrawn.</summary>
    PrivilegeWithdrawn = 9,
    /// <summary>The attribute authority was compromised.</summary>
    AACompromise = 10,
}

/// <summary>One revoked certificate as the development PKI records it.</summary>
/// <param name="IssuerSlug">Slug of the CA that issued the certificate.</param>
public sealed record RevocationEntry(string IssuerSlug, Org.BouncyCastle.Math.BigInteger SerialNumber,
    RevocationReason Reason, DateTimeOffset RevokedAt);
