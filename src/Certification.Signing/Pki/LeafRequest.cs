using System.Security.Cryptography.X509Certificates;

namespace Certification.Signing.Pki;

/// <summary>
/// What to put in an end-entity certificate issued by <see cref="DevelopmentPki.IssueLeaf"/>. The defaults
/// give a signing certificate like the officer's: RSA 2048, three years from now, keyUsage
/// digitalSignature + nonRepudiation, AIA and CRL distribution point under the PKI's base URL.
/// </summary>
public sealed record LeafRequest(string Name, string CommonName)
{
    /// <summary>Organization (O); <c>null</c> leaves it out.</summary>
    public string? Organization { get; init; }

    public KeyAlgorithm KeyAlgorithm { get; init; } = KeyAlgorithm.Rsa2048;

    /// <summary>Defaults to the PKI clock's now.</summary>
    public DateTimeOffset? NotBefore { get; init; }

    /// <summary>Defaults to <see cref="NotBefore"/> plus three years.</summary>
    public DateTimeOffset? NotAfter { get; init; }

    /// <summary>Key usage bits (critical extension); <c>None</c> omits the extension entirely.</summary>
    public X509KeyUsageFlags KeyUsage { get; init; } = X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation;

    /// <summary>Extended key usage OIDs (dotted strings); empty omits the extension.</summary>
    public IReadOnlyList<string> ExtendedKeyUsages { get; init; } = [];

    public bool ExtendedKeyUsageCritical { get; init; }

    /// <summary>Adds id-pkix-ocsp-nocheck (RFC 6960 § 4.2.2.2.1), for OCSP responder certificates.</summary>
    public bool OcspNoCheck { get; init; }

    /// <summary>Adds the AIA (caIssuers + OCSP) and CRL distribution point extensions.</summary>
    public bool IncludeRevocationPointers { get; init; } = true;
}
