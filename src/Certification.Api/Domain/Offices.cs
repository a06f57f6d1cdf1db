namespace Certification.Api.Domain;

/// <summary>One of the 34 provinces and centrally-run cities (after the 2025 reorganisation).</summary>
public sealed class Province
{
    public int Id { get; set; }
    public required string Code { get; set; }
    public required string Name { get; set; }
}

/// <summary>The authority kinds that certify copies (Decree 23/2015 Art. 5, Decree 280/2025).</summary>
public enum OfficeKind
{
    /// <summary>People's Committee of a commune or ward: the Chairman or an officer he authorises.</summary>
    Commune,
    /// <summary>District Justice Division: abolished on 1 July 2025; its copies must still verify, it certifies nothing new.</summary>
    DistrictJusticeDivision,
    /// <summary>Public notary office or private notary practice.</summary>
    NotaryOffice,
    /// <summary>Consular mission abroad.</summary>
    ConsularMission,
}

public sealed class Office
{
    /// <summary>Districts were abolished on 1 July 2025 (Law on Organisation of Local Government 2025).</summary>
    public static readonly DateOnly DistrictsAbolished = new(2025, 7, 1);

    public int Id { get; set; }
    /// <summary>Short stable code printed on copies, e.g. the administrative unit code.</summary>
    public required string Code { get; set; }
    public required string Name { get; set; }
    public OfficeKind Kind { get; set; }
    public int ProvinceId { get; set; }
    public Province? Province { get; set; }
    /// <summary>The date from which the office may no longer certify (its book stays readable).</summary>
    public DateOnly? ReadOnlySince { get; set; }
    /// <summary>The province waives the fee for online requests here.</summary>
    public bool FeesWaived { get; set; }

    public bool IsReadOnlyOn(DateOnly date) =>
        (ReadOnlySince is { } since && date >= since) ||
        (Kind == OfficeKind.DistrictJusticeDivision && date >= DistrictsAbolished);
}

/// <summary>A check value of a secret every node must share (the key encryption key, the token-signing key),
/// recorded by the first node that started: a node whose own secret gives another value is misconfigured.
/// The value reveals nothing of the key (an HMAC-SHA256 of a fixed label under the key).</summary>
public sealed class KeyCheck
{
    /// <summary>The setting the key comes from, e.g. <c>Certification:KeyEncryptionKey</c>.</summary>
    public required string Setting { get; set; }
    public required string Value { get; set; }
    public DateTimeOffset RecordedAt { get; set; }
}
