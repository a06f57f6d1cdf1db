namespace Certification.Signing.Pades;

/// <summary>PAdES baseline levels (ETSI EN 319 142-1 § 6).</summary>
public enum PadesLevel
{
    /// <summary>B-B: the CAdES-style signature with signed attributes only.</summary>
    BaselineB,
    /// <summary>B-T: plus a signature timestamp proving the signature existed at that time.</summary>
    BaselineT,
    /// <summary>B-LT: plus certificates and revocation data in the document security store (/DSS).</summary>
    BaselineLT,
    /// <summary>B-LTA: plus a document timestamp over everything, renewable before it expires.</summary>
    BaselineLTA,
}

public static class PadesLevels
{
    public static PadesLevel Parse(string text) => text.Trim().ToUpperInvariant() switch
    {
        "B-B" or "B" or "PADES-BASELINE-B" => PadesLevel.BaselineB,
        "B-T" or "T" or "PADES-BASELINE-T" => PadesLevel.BaselineT,
        "B-LT" or "LT" or "PADES-BASELINE-LT" => PadesLevel.BaselineLT,
        "B-LTA" or "LTA" or "PADES-BASELINE-LTA" => PadesLevel.BaselineLTA,
        _ => throw new ArgumentException($"Unknown PAdES level '{text}': use B-B, B-T, B-LT or B-LTA"),
    };

    public static string Name(this PadesLevel level) => level switch
    {
        PadesLevel.BaselineB => "B-B",
        PadesLevel.BaselineT => "B-T",
        PadesLevel.BaselineLT => "B-LT",
        _ => "B-LTA",
    };
}

/// <summary>The /SubFilter of a signature: the CMS profile it follows.</summary>
public enum SignatureSubFilter
{
    /// <summary>ETSI.CAdES.detached: PAdES (ETSI EN 319 142-1).</summary>
    CadesDetached,
    /// <summary>adbe.pkcs7.detached: ISO 32000-1 § 12.8.3.3, for systems that predate PAdES.</summary>
    Pkcs7Detached,
}
