using Certification.Signing.Validation.Modifications;
using Certification.Signing.Validation.Policy;
using Certification.Signing.Validation.Report;

namespace Certification.Signing.Validation.Checks;

/// <summary>A signature timestamp, when present, is intact (imprint over the signature value), verifies,
/// and comes from a trusted TSA; an untrusted TSA is only a warning: its time is then not used as proof.</summary>
public sealed class SignatureTimestampCheck : ISignatureCheck
{
    public string Name => "signatureTimestamp";

    public CheckOutcome? Evaluate(CheckContext c)
    {
        var s = c.Signature;
        if (s.IsDocumentTimestamp || s.Cms is null) return null;
        if (s.SignatureTimestampProblem is { } problem) return CheckOutcome.Indeterminate(SubIndication.SigConstraintsFailure, problem);
        if (s.SignatureTimestamp is not { } ts) return CheckOutcome.Pass("no signature timestamp: the signing time is only claimed by the signer");
        if (!ts.ImprintMatches) return CheckOutcome.Indeterminate(SubIndication.SigConstraintsFailure, "the signature timestamp does not cover this signature value (imprint mismatch)");
        if (!ts.TokenValid) return CheckOutcome.Indeterminate(SubIndication.SigConstraintsFailure, $"the signature timestamp is invalid: {ts.Problem}");
        if (ts.GenTime > c.ValidationTime) return CheckOutcome.Indeterminate(SubIndication.SigConstraintsFailure, $"the signature timestamp ({ts.GenTime:u}) is later than the validation time");
        if (ts.AnchorProblem is { } anchor)
            return new CheckOutcome(CheckResult.Indeterminate, $"signature timestamp of {ts.GenTime:u} is intact, but its TSA was not granted when it issued the token ({anchor}), so the time is not used as proof");
        if (ts.RevocationProblem is { } revocation)
            return new CheckOutcome(CheckResult.Indeterminate, $"signature timestamp of {ts.GenTime:u} is intact, but {revocation}, so the time is not used as proof");
        if (!ts.Trusted)
            return new CheckOutcome(CheckResult.Indeterminate, $"signature timestamp of {ts.GenTime:u} is intact, but its TSA is not trusted, so the time is not used as proof");
        var status = ts.Path is { Revocation.Count: > 0 } path
            ? "; TSA " + string.Join("; ", path.Revocation.Select(r => $"{CertificateChainCheck.CommonName(r.Certificate)}: {r.Message}"))
            : "";
        return CheckOutcome.Pass($"signature timestamp of {ts.GenTime:u} from a trusted TSA{status}");
    }
}

/// <summary>Only the changes the policy allows were made after signing (by default validation data,
/// signatures and timestamps). Anything touching content is TOTAL_FAILED; form filling and annotations,
/// which the author may have permitted, are INDETERMINATE.</summary>
public sealed class ModificationPolicyCheck : ISignatureCheck
{
    public string Name => "modificationsAfterSigning";

    public CheckOutcome? Evaluate(CheckContext c)
    {
        var s = c.Signature;
        if (s.SignedRevision is null || s.FatalProblem is not null) return null;
        var disallowed = s.Modifications.Where(m => !c.Policy.AllowedModifications.Contains(m.Kind)).ToList();
        if (disallowed.Count == 0)
        {
            var level = s.Modifications.Count == 0 ? ModificationKind.None : s.Modifications.Max(m => m.Kind);
            return CheckOutcome.Pass(level switch
            {
                ModificationKind.None => "nothing was changed after signing",
                ModificationKind.ValidationData => "only validation data (DSS) was added after signing",
                _ => "only validation data, signatures and timestamps were added after signing",
            });
        }
        // Reveals first: they name the attack, the other findings are what it took.
        var ordered = disallowed.OrderByDescending(m => m.RevealsPreparedContent).ToList();
        var message = "changed after signing: " + string.Join("; ", ordered.Select(m => m.Message).Distinct().Take(10)) +
                      (ordered.Count > 10 ? $"; and {ordered.Count - 10} more" : "");
        return Verdict(c.Policy, ordered, message);
    }

    /// <summary>Failed for a change to content (OTHER); for a change that only reveals prepared content,
    /// what the policy says (<see cref="ValidationPolicy.PreparedContentRevealed"/>); indeterminate for
    /// form filling and annotations, which the author may have permitted.</summary>
    internal static CheckOutcome Verdict(ValidationPolicy policy, IReadOnlyCollection<ModificationFinding> disallowed, string message)
    {
        if (disallowed.Any(m => m.Kind == ModificationKind.Other && !m.RevealsPreparedContent))
            return CheckOutcome.Fail(SubIndication.SigConstraintsFailure, message);
        if (disallowed.Any(m => m.RevealsPreparedContent) && policy.PreparedContentRevealed == CheckResult.Failed)
            return CheckOutcome.Fail(SubIndication.SigConstraintsFailure, message);
        return CheckOutcome.Indeterminate(SubIndication.SigConstraintsFailure, message);
    }
}

/// <summary>Changes after a certification signature stay within its DocMDP permissions (ISO 32000-1
/// § 12.8.2.2; DSS and document timestamps are always allowed, ETSI EN 319 142-1 § 5.4).</summary>
public sealed class DocMdpCheck : ISignatureCheck
{
    public string Name => "docMdp";

    public CheckOutcome? Evaluate(CheckContext c)
    {
        var s = c.Signature;
        if (s.SignedRevision is not { } signed) return null;
        var certification = c.Document.Signatures
            .Where(o => o.DocMdpPermissions is not null && !o.IsDocumentTimestamp && o.SignedRevision is { } r && r.Index <= signed.Index)
            .OrderBy(o => o.SignedRevision!.Index)
            .FirstOrDefault();
        if (certification is null) return null;
        var p = certification.DocMdpPermissions!.Value;
        var violations = s.Modifications.Where(m => !Allowed(p, m)).ToList();
        if (violations.Count == 0) return CheckOutcome.Pass($"changes after signing are within the certification's permissions (P={p})");
        var message = $"the certification signature '{certification.FieldName}' (P={p}) forbids: " +
                      string.Join("; ", violations.OrderByDescending(v => v.RevealsPreparedContent).Select(v => v.Message).Distinct().Take(10));
        // A reveal is judged as the policy says here too; anything else DocMDP forbids fails (§ 12.8.2.2).
        return violations.All(v => v.RevealsPreparedContent)
            ? ModificationPolicyCheck.Verdict(c.Policy, violations, message)
            : CheckOutcome.Fail(SubIndication.SigConstraintsFailure, message);
    }

    private static bool Allowed(int p, ModificationFinding m) => m.Kind switch
    {
        ModificationKind.None or ModificationKind.ValidationData => true,
        ModificationKind.SignaturesAndTimestamps => p >= 2 || !m.AddsSignature,
        ModificationKind.FormFilling => p >= 2,
        ModificationKind.Annotations => p >= 3,
        _ => false,
    };
}
