using Certification.Signing.Validation.Facts;
using Certification.Signing.Validation.Report;
using Org.BouncyCastle.X509;

namespace Certification.Signing.Validation.Checks;

/// <summary>The signing certificate is identified, and the signed attributes bind it (ESS
/// signing-certificate-v2, required for CAdES by ETSI EN 319 122-1 § 5.2.2).</summary>
public sealed class SigningCertificateCheck : ISignatureCheck
{
    public string Name => "signingCertificate";

    public CheckOutcome? Evaluate(CheckContext c)
    {
        var s = c.Signature;
        if (s.DocumentTimestamp is { } ts)
            return ts.TsaCertificate is null
                ? CheckOutcome.Indeterminate(SubIndication.NoSigningCertificateFound, "the TSA certificate is neither in the token nor in the DSS")
                : CheckOutcome.Pass($"TSA certificate: {ts.TsaCertificate.SubjectDN}");
        if (s.Cms is not { } cms) return null;
        if (cms.SignerCertificate is null)
            return CheckOutcome.Indeterminate(SubIndication.NoSigningCertificateFound, "the signer's certificate is neither in the signature nor in the DSS");
        return cms.Binding switch
        {
            SigningCertificateBinding.Matches => CheckOutcome.Pass(cms.BindingMessage),
            SigningCertificateBinding.Absent when s.SubFilter != "ETSI.CAdES.detached" => CheckOutcome.Pass($"{cms.BindingMessage} (not required for {s.SubFilter ?? "this signature"})"),
            _ => CheckOutcome.Indeterminate(SubIndication.NoSigningCertificateFound, cms.BindingMessage),
        };
    }
}

/// <summary>The signature value verifies with the signer's public key (or the timestamp token with the TSA's).</summary>
public sealed class SignatureValueCheck : ISignatureCheck
{
    public string Name => "signatureValue";

    public CheckOutcome? Evaluate(CheckContext c)
    {
        var s = c.Signature;
        if (s.DocumentTimestamp is { TsaCertificate: not null } ts)
        {
            if (ts.TokenValid) return CheckOutcome.Pass("the timestamp token's signature verifies with the TSA certificate");
            var problem = ts.Problem ?? "the timestamp token does not verify";
            if (problem.Contains("ExtendedKeyUsage", StringComparison.OrdinalIgnoreCase))
                return CheckOutcome.Indeterminate(SubIndication.SigConstraintsFailure, $"the TSA certificate is not marked for timestamping: {problem}");
            if (problem.Contains("not valid", StringComparison.OrdinalIgnoreCase) || problem.Contains("expired", StringComparison.OrdinalIgnoreCase))
                return CheckOutcome.Indeterminate(SubIndication.OutOfBoundsNoPoe, problem);
            return ts.ImprintMatches || problem.Contains("signature", StringComparison.OrdinalIgnoreCase)
                ? CheckOutcome.Fail(SubIndication.SigCryptoFailure, problem)
                : null;
        }
        if (s.Pkcs1 is { } pkcs1)
            return pkcs1.SignatureValid
                ? CheckOutcome.Pass("the PKCS#1 signature value verifies over the SHA-1 digest of the signed bytes")
                : CheckOutcome.Fail(SubIndication.SigCryptoFailure, "the signed bytes were changed, or the PKCS#1 signature value is broken");
        if (s.Cms is not { SignerCertificate: not null } cms) return null;
        return cms.SignatureValid == true
            ? CheckOutcome.Pass("the signature value verifies with the signer's public key")
            : CheckOutcome.Fail(SubIndication.SigCryptoFailure, cms.SignatureProblem ?? "the signature value does not verify");
    }
}

/// <summary>Digest and signature algorithms and key sizes meet the policy (ETSI TS 119 312).</summary>
public sealed class AlgorithmStrengthCheck : ISignatureCheck
{
    private static readonly Dictionary<string, string> WeakSignatureAlgorithms = new()
    {
        ["1.2.840.113549.1.1.4"] = "MD5 with RSA",
        ["1.2.840.113549.1.1.5"] = "SHA-1 with RSA",
        ["1.3.14.3.2.29"] = "SHA-1 with RSA",
        ["1.2.840.10045.4.1"] = "ECDSA with SHA-1",
        ["1.2.840.10040.4.3"] = "DSA with SHA-1",
    };

    public string Name => "cryptographicStrength";

    public CheckOutcome? Evaluate(CheckContext c)
    {
        var s = c.Signature;
        var problems = new List<string>();
        var policy = c.Policy;
        X509Certificate? leaf;
        if (s.DocumentTimestamp is { } ts)
        {
            leaf = ts.TsaCertificate;
            if (policy.RejectedDigestOids.Contains(ts.ImprintOid)) problems.Add($"the timestamp imprint uses a rejected digest ({DigestName(ts.ImprintOid)})");
        }
        else if (s.Cms is { } cms)
        {
            leaf = cms.SignerCertificate;
            if (policy.RejectedDigestOids.Contains(cms.DigestOid)) problems.Add($"the signature uses a rejected digest ({DigestName(cms.DigestOid)})");
            if (WeakSignatureAlgorithms.TryGetValue(cms.Signer.SignatureAlgorithm.Algorithm.Id, out var weak)) problems.Add($"the signature algorithm {weak} is rejected");
        }
        else if (s.Pkcs1 is { } pkcs1)
        {
            leaf = pkcs1.Certificate;
            problems.Add("adbe.x509.rsa_sha1 signs a SHA-1 digest (SHA-1 with RSA), which is rejected");
        }
        else return null;
        if (leaf is null) return null;
        var certificates = s.Path?.Certificates ?? [leaf];
        for (var i = 0; i < certificates.Count; i++)
        {
            var certificate = certificates[i];
            var isAnchor = s.Path is { Trusted: true } && i == certificates.Count - 1 && i > 0;
            if (isAnchor) continue; // a trust anchor is trusted by configuration, not by its signature
            var who = i == 0 ? "the signer's certificate" : $"issuer certificate '{certificate.SubjectDN}'";
            if (KeyProblem(certificate, policy) is { } keyProblem) problems.Add($"{who}: {keyProblem}");
            if (i < certificates.Count - 1 && WeakSignatureAlgorithms.TryGetValue(certificate.SigAlgOid, out var weak)) problems.Add($"{who} is signed with {weak}");
        }
        return problems.Count == 0
            ? CheckOutcome.Pass("algorithms and key sizes meet the policy")
            : CheckOutcome.Indeterminate(SubIndication.CryptoConstraintsFailure, string.Join("; ", problems));
    }

    private static string? KeyProblem(X509Certificate certificate, Policy.ValidationPolicy policy)
    {
        try
        {
            return PublicKeys.Describe(certificate) switch
            {
                (PublicKeys.Kind.Rsa, var bits) when bits < policy.MinRsaBits => $"RSA key of {bits} bits is below {policy.MinRsaBits}",
                (PublicKeys.Kind.Ec, var bits) when bits < policy.MinEcBits => bits == 0 ? "the EC key uses an unknown curve" : $"EC key of {bits} bits is below {policy.MinEcBits}",
                (PublicKeys.Kind.Dsa, _) => "DSA keys are not accepted",
                _ => null,
            };
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or InvalidCastException or IOException or Org.BouncyCastle.Security.SecurityUtilityException)
        {
            return $"the public key cannot be read ({e.Message})";
        }
    }

    private static string DigestName(string oid) => oid switch
    {
        "1.2.840.113549.2.5" => "MD5",
        "1.3.14.3.2.26" => "SHA-1",
        _ => oid,
    };
}

/// <summary>The signer certificate may sign (keyUsage digitalSignature or nonRepudiation, RFC 5280
/// § 4.2.1.3); a TSA certificate must carry extendedKeyUsage timeStamping (RFC 3161 § 2.3).</summary>
public sealed class KeyUsageCheck : ISignatureCheck
{
    private const string TimeStamping = "1.3.6.1.5.5.7.3.8";

    public string Name => "keyUsage";

    public CheckOutcome? Evaluate(CheckContext c)
    {
        var s = c.Signature;
        if (s.DocumentTimestamp is { TsaCertificate: { } tsa })
        {
            var eku = tsa.GetExtendedKeyUsage();
            return eku is not null && eku.Any(o => o.Id == TimeStamping)
                ? CheckOutcome.Pass("the TSA certificate is for timestamping")
                : CheckOutcome.Indeterminate(SubIndication.SigConstraintsFailure, "the TSA certificate lacks extendedKeyUsage timeStamping");
        }
        if ((s.Cms?.SignerCertificate ?? s.Pkcs1?.Certificate) is not { } signer) return null;
        var usage = signer.GetKeyUsage();
        if (usage is null) return CheckOutcome.Pass("the signer certificate does not restrict key usage");
        return usage.Length > 1 && (usage[0] || usage[1])
            ? CheckOutcome.Pass("the signer certificate allows digital signatures")
            : CheckOutcome.Indeterminate(SubIndication.SigConstraintsFailure, "the signer certificate's key usage allows neither digitalSignature nor nonRepudiation");
    }
}

/// <summary>A path from the signing certificate to a configured trust anchor exists.</summary>
public sealed class CertificateChainCheck : ISignatureCheck
{
    public string Name => "certificateChain";

    public CheckOutcome? Evaluate(CheckContext c)
    {
        if (c.Signature.Path is not { } path) return null;
        var names = string.Join(" → ", path.Certificates.Select(CommonName));
        if (path.Trusted) return CheckOutcome.Pass($"trusted chain: {names}");
        return CheckOutcome.Indeterminate(SubIndication.NoCertificateChainFound,
            c.Options.EffectiveTrustStore.Anchors.Count == 0
                ? $"no trust anchors were given; the chain {names} cannot be trusted"
                : $"the chain {names} does not reach a trusted root");
    }

    public static string CommonName(X509Certificate certificate) =>
        certificate.SubjectDN.GetValueList(Org.BouncyCastle.Asn1.X509.X509Name.CN).FirstOrDefault() ?? certificate.SubjectDN.ToString();
}

/// <summary>The anchor the path ends at was granted, for this purpose, at the signature's proof-of-existence
/// time (ETSI EN 319 102-1 § 5.6.2.2 with the service history of ETSI TS 119 612 § 5.5.4); for a document
/// timestamp, at the time of the token.</summary>
public sealed class TrustedServiceStatusCheck : ISignatureCheck
{
    public string Name => "trustedServiceStatus";

    public CheckOutcome? Evaluate(CheckContext c)
    {
        var s = c.Signature;
        if (s.Path is not { Trusted: true }) return null;
        if (s.AnchorProblem is { } problem)
            return CheckOutcome.Indeterminate(SubIndication.NoCertificateChainFound, $"the trust anchor was not granted at the time to judge: {problem}");
        if (s.Anchor is not { } anchor) return null;
        var at = s.IsDocumentTimestamp ? s.DocumentTimestamp!.GenTime : s.BestSignatureTime;
        return CheckOutcome.Pass($"'{anchor.Name}' ({anchor.Source}) is trusted for {Purpose(anchor.Purpose)} and was granted at {at:u}");
    }

    public static string Purpose(Trust.TrustPurpose purpose) => purpose switch
    {
        Trust.TrustPurpose.PublicDutySignatures => "public-duty signatures",
        Trust.TrustPurpose.PublicCaSignatures => "public-CA signatures",
        _ => "timestamps",
    };
}

/// <summary>Issuer certificates are CAs (basicConstraints cA, keyCertSign, path length; RFC 5280 § 4.2.1.9).</summary>
public sealed class ChainConstraintsCheck : ISignatureCheck
{
    public string Name => "chainConstraints";

    public CheckOutcome? Evaluate(CheckContext c)
    {
        if (c.Signature.Path is not { Trusted: true } path) return null;
        var certificates = path.Certificates;
        for (var i = 1; i < certificates.Count - 1; i++) // neither the leaf nor the trust anchor
        {
            var ca = certificates[i];
            var pathLength = ca.GetBasicConstraints();
            if (pathLength < 0)
                return CheckOutcome.Indeterminate(SubIndication.ChainConstraintsFailure, $"'{CertificateChainCheck.CommonName(ca)}' issues certificates but is not a CA");
            if (ca.GetKeyUsage() is { } usage && (usage.Length <= 5 || !usage[5]))
                return CheckOutcome.Indeterminate(SubIndication.ChainConstraintsFailure, $"'{CertificateChainCheck.CommonName(ca)}' may not sign certificates (keyUsage)");
            if (i - 1 > pathLength)
                return CheckOutcome.Indeterminate(SubIndication.ChainConstraintsFailure, $"'{CertificateChainCheck.CommonName(ca)}' allows {pathLength} intermediate(s) below it");
        }
        return CheckOutcome.Pass("every issuer in the chain is a CA");
    }
}

/// <summary>Every certificate of the path is within its validity period at the best signature time
/// (the timestamp time when one proves it, otherwise the validation time).</summary>
public sealed class CertificateValidityCheck : ISignatureCheck
{
    public string Name => "certificateValidity";

    public CheckOutcome? Evaluate(CheckContext c)
    {
        var s = c.Signature;
        if (s.Path is not { } path) return null;
        var at = s.BestSignatureTime;
        var count = path.Trusted && path.Certificates.Count > 1 ? path.Certificates.Count - 1 : path.Certificates.Count;
        for (var i = 0; i < count; i++)
        {
            var certificate = path.Certificates[i];
            var notBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero);
            var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
            var who = i == 0 ? "the signer's certificate" : $"'{CertificateChainCheck.CommonName(certificate)}'";
            if (at < notBefore)
                return CheckOutcome.Indeterminate(SubIndication.NotYetValid, $"{who} is valid only from {notBefore:u}, after {at:u}");
            if (at > notAfter)
                return CheckOutcome.Indeterminate(SubIndication.OutOfBoundsNoPoe,
                    $"{who} expired on {notAfter:u}{(s.ProvenTime is null ? " and no timestamp proves the signature existed before that" : $", before the proven signature time {at:u}")}");
        }
        return CheckOutcome.Pass($"the certificates are valid at {at:u}{(s.ProvenTime is null ? " (validation time)" : " (proven by timestamp)")}");
    }
}

/// <summary>No certificate of the path is revoked, and current revocation data exists where the
/// certificates name a revocation service (ETSI EN 319 102-1 § 5.2.5).</summary>
public sealed class RevocationCheck : ISignatureCheck
{
    public string Name => "revocation";

    public CheckOutcome? Evaluate(CheckContext c)
    {
        if (c.Signature.Path is not { Trusted: true } path || path.Revocation.Count == 0) return null;
        if (path.Revocation.FirstOrDefault(r => r.Status == RevocationStatus.Revoked) is { } revoked)
            return CheckOutcome.Fail(SubIndication.Revoked, $"'{CertificateChainCheck.CommonName(revoked.Certificate)}' was {revoked.Message}");
        var unknown = path.Revocation.Where(r => r.Status == RevocationStatus.Unknown).ToList();
        var summary = string.Join("; ", path.Revocation.Select(r => $"{CertificateChainCheck.CommonName(r.Certificate)}: {r.Message}"));
        if (unknown.Count > 0 && c.Policy.RequireRevocationWhenAvailable)
            return CheckOutcome.Indeterminate(SubIndication.TryLater, summary);
        return CheckOutcome.Pass(summary);
    }
}
