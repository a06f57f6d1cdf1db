namespace Certification.Api.Domain;

[Flags]
public enum OfficerRoles
{
    None = 0,
    /// <summary>Receives requests and scans originals.</summary>
    IntakeClerk = 1,
    /// <summary>Certifies or refuses (commune Chairman, an authorised officer, a notary).</summary>
    Certifier = 2,
    /// <summary>Manages the office's officers, keys and book.</summary>
    OfficeAdmin = 4,
    /// <summary>Manages offices, API clients and reads the audit log.</summary>
    SystemAdmin = 8,
}

public sealed class Officer
{
    public int Id { get; set; }
    public required string UserName { get; set; }
    public required string FullName { get; set; }
    /// <summary>Printed under the statement, e.g. "Phó Chủ tịch UBND".</summary>
    public string Title { get; set; } = "";
    public int? OfficeId { get; set; }
    public Office? Office { get; set; }
    public OfficerRoles Roles { get; set; }
    /// <summary>ASP.NET Core Identity's PasswordHasher format (PBKDF2); null for SSO-only accounts.</summary>
    public string? PasswordHash { get; set; }
    public int FailedSignIns { get; set; }
    public DateTimeOffset? LockoutEnd { get; set; }
    public bool Active { get; set; } = true;

    public bool Has(OfficerRoles role) => (Roles & role) == role;
}

/// <summary>Decree 280/2025: the commune Chairman certifies or authorises/assigns another officer.
/// Records who authorised whom, for what, and for how long.</summary>
public sealed class Authorisation
{
    public int Id { get; set; }
    public int OfficeId { get; set; }
    public int OfficerId { get; set; }
    public Officer? Officer { get; set; }
    /// <summary>Who granted it (the Chairman); null for a decision recorded by the system administrator.</summary>
    public string GrantedBy { get; set; } = "";
    /// <summary>What it covers, e.g. "certify-copies".</summary>
    public string Scope { get; set; } = "certify-copies";
    /// <summary>Decision reference, e.g. "Quyết định số 12/QĐ-UBND".</summary>
    public string? Reference { get; set; }
    public DateOnly ValidFrom { get; set; }
    public DateOnly? ValidUntil { get; set; }

    public bool IsValidOn(DateOnly date) => date >= ValidFrom && (ValidUntil is null || date <= ValidUntil);

    /// <summary>Text printed on the copy ("KT. CHỦ TỊCH" style line).</summary>
    public string Describe() => Reference is null ? $"Được ủy quyền bởi {GrantedBy}" : $"Được ủy quyền bởi {GrantedBy} ({Reference})";
}

public enum SigningKeyKind
{
    /// <summary>A PKCS#12 file, encrypted at rest with the configured key (AES-256-GCM).</summary>
    Pkcs12,
    /// <summary>A key in a PKCS#11 token or HSM slot; only a reference is stored.</summary>
    Pkcs11,
    /// <summary>A USB token on the officer's computer or a remote signHash service: the two-step flow.</summary>
    External,
}

/// <summary>A key an officer signs with (personal) or an office's electronic seal.</summary>
public sealed class SigningIdentity
{
    public int Id { get; set; }
    public int OfficeId { get; set; }
    /// <summary>The officer the key belongs to; null for the office seal.</summary>
    public int? OfficerId { get; set; }
    public SigningKeyKind Kind { get; set; }
    public required string SubjectName { get; set; }
    /// <summary>The certificate chain (signer first), PEM.</summary>
    public required string CertificateChainPem { get; set; }
    public DateTimeOffset NotAfter { get; set; }
    /// <summary>AES-GCM envelope of the PKCS#12 and its password (<see cref="SigningKeyKind.Pkcs12"/>).</summary>
    public byte[]? ProtectedPkcs12 { get; set; }
    public string? Pkcs11Module { get; set; }
    public string? Pkcs11TokenLabel { get; set; }
    public string? Pkcs11KeyLabel { get; set; }
    /// <summary>Name of the configuration setting holding the PIN (never the PIN itself).</summary>
    public string? Pkcs11PinSetting { get; set; }
    public bool Active { get; set; } = true;

    public bool IsOfficeSeal => OfficerId is null;
}

/// <summary>An online public service that verifies citizens' copies; identified by an API key.</summary>
public sealed class ApiClient
{
    public int Id { get; set; }
    public required string Name { get; set; }
    /// <summary>SHA-256 (hex) of the key; the key itself is shown once.</summary>
    public required string KeyHash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public bool Active { get; set; } = true;
}
