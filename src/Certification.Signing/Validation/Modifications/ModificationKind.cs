namespace Certification.Signing.Validation.Modifications;

/// <summary>What a change after signing amounts to, ordered from harmless to anything-goes
/// (pyHanko's ModificationLevel; ISO 32000-1 § 12.8.2.2 DocMDP permissions).</summary>
public enum ModificationKind
{
    /// <summary>Nothing was changed after signing.</summary>
    None,
    /// <summary>Only the document security store (/DSS, /VRI) was added or extended (ETSI EN 319 142-1 § 5.4).</summary>
    ValidationData,
    /// <summary>New signature fields, signature values, document timestamps and their appearances.</summary>
    SignaturesAndTimestamps,
    /// <summary>Values of existing form fields changed (DocMDP P=2).</summary>
    FormFilling,
    /// <summary>Annotations added, changed or removed (DocMDP P=3).</summary>
    Annotations,
    /// <summary>Anything else: page content, resources, page tree, catalog, redefined objects.</summary>
    Other,
}

/// <summary>One change found in a revision after a signature.</summary>
/// <param name="Revision">0-based index of the revision that made the change.</param>
/// <param name="AddsSignature">True when the change adds a signature that is not a document timestamp
/// (DocMDP P=1 allows document timestamps and validation data only).</param>
/// <param name="RevealsPreparedContent">True when the change makes the document show content that was
/// already in it when it was signed but not shown (shadow attacks, Mainka et al., NDSS 2021): its verdict
/// is <see cref="Policy.ValidationPolicy.PreparedContentRevealed"/>.</param>
public sealed record ModificationFinding(ModificationKind Kind, int Revision, string Message, bool AddsSignature = false, bool RevealsPreparedContent = false);
