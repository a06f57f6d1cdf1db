namespace Certification.Signing.Validation.Report;

/// <summary>Main status indication of a validation (ETSI EN 319 102-1 § 5.1.3), ordered from best to worst
/// so the document verdict is the maximum over its signatures.</summary>
public enum Indication
{
    /// <summary>Every check passed: the signature is valid under the policy.</summary>
    TotalPassed,
    /// <summary>A check could not be completed (missing trust, revocation data, proof of existence...).</summary>
    Indeterminate,
    /// <summary>The signature or the document is shown to be invalid (altered, forged, revoked...).</summary>
    TotalFailed,
    /// <summary>Document level only: the file holds no signature and no document timestamp.</summary>
    NoSignatureFound,
}

/// <summary>Sub-indications (ETSI EN 319 102-1 § 5.1.3, tables 5 and 6).</summary>
public enum SubIndication
{
    /// <summary>The signature is not well formed: ByteRange, /Contents, CMS structure or coverage.</summary>
    FormatFailure,
    /// <summary>The signed bytes do not match the digest the signature protects.</summary>
    HashFailure,
    /// <summary>The signature value does not verify with the signer's public key.</summary>
    SigCryptoFailure,
    /// <summary>The signing certificate was revoked at or before the best signature time.</summary>
    Revoked,
    /// <summary>Constraints on the signature were not met (DocMDP, modification policy, key usage).</summary>
    SigConstraintsFailure,
    /// <summary>A certificate of the chain breaks a constraint (CA flag, path length, validity).</summary>
    ChainConstraintsFailure,
    /// <summary>An algorithm or key size is not acceptable under the policy.</summary>
    CryptoConstraintsFailure,
    /// <summary>The signing certificate could not be identified in the signature.</summary>
    NoSigningCertificateFound,
    /// <summary>No chain from the signing certificate to a trust anchor could be built.</summary>
    NoCertificateChainFound,
    /// <summary>Revoked, and nothing proves the signature existed before the revocation.</summary>
    RevokedNoPoe,
    /// <summary>A certificate is outside its validity period and nothing proves the signature existed while it was valid.</summary>
    OutOfBoundsNoPoe,
    /// <summary>The signing certificate is not yet valid at the best signature time.</summary>
    NotYetValid,
    /// <summary>Revocation status could not be established now; trying later (or online) may succeed.</summary>
    TryLater,
}

/// <summary>Outcome of one check.</summary>
public enum CheckResult
{
    Passed,
    Failed,
    Indeterminate,
}

/// <summary>Which bytes of the file a signature covers (pyHanko's SignatureCoverageLevel).</summary>
public enum Coverage
{
    /// <summary>The whole file except the signature value itself.</summary>
    EntireFile,
    /// <summary>A whole earlier revision; later revisions are judged by modification analysis.</summary>
    EntireRevision,
    /// <summary>Anything else: the signed bytes end in the middle of a revision or leave gaps.</summary>
    Partial,
}
