using Certification.Signing.Validation.Facts;
using Certification.Signing.Validation.Policy;
using Certification.Signing.Validation.Report;

namespace Certification.Signing.Validation.Checks;

/// <summary>What a check sees: the facts of one signature and of the document, and the run's options.</summary>
public sealed record CheckContext(SignatureFacts Signature, DocumentFacts Document, ValidationOptions Options, DateTimeOffset ValidationTime)
{
    public ValidationPolicy Policy => Options.Policy;
}

/// <summary>The result of one check, and the indication it gives the signature when it does not pass.</summary>
public sealed record CheckOutcome(CheckResult Result, string Message, Indication Indication = Indication.TotalPassed, SubIndication? SubIndication = null)
{
    public static CheckOutcome Pass(string message) => new(CheckResult.Passed, message);
    public static CheckOutcome Fail(SubIndication sub, string message) => new(CheckResult.Failed, message, Indication.TotalFailed, sub);
    public static CheckOutcome Indeterminate(SubIndication sub, string message) => new(CheckResult.Indeterminate, message, Indication.Indeterminate, sub);
}

/// <summary>One validation rule (EU DSS style: one class, one rule, its own failure indication).</summary>
public interface ISignatureCheck
{
    /// <summary>Stable name used in the report's checks list.</summary>
    string Name { get; }

    /// <summary>The outcome, or null when the rule does not apply (or its prerequisite already failed).</summary>
    CheckOutcome? Evaluate(CheckContext context);
}

/// <summary>The checks in building-block order (ETSI EN 319 102-1 § 5.2: format, identification,
/// cryptographic verification, X.509 validation, time, then the PDF-specific modification rules).</summary>
public static class SignatureChecks
{
    public static readonly IReadOnlyList<ISignatureCheck> All =
    [
        new ReadableSignatureCheck(),
        new DocumentStructureCheck(),
        new ByteRangeCheck(),
        new ContentsPlacementCheck(),
        new CoverageCheck(),
        new ContainerFormatCheck(),
        new DigestCheck(),
        new SigningCertificateCheck(),
        new SignatureValueCheck(),
        new AlgorithmStrengthCheck(),
        new KeyUsageCheck(),
        new CertificateChainCheck(),
        new TrustedServiceStatusCheck(),
        new ChainConstraintsCheck(),
        new CertificateValidityCheck(),
        new RevocationCheck(),
        new SignatureTimestampCheck(),
        new ModificationPolicyCheck(),
        new DocMdpCheck(),
    ];
}
