using System.ComponentModel.DataAnnotations;

namespace Certification.Api.Options;

/// <summary><c>Certification:Citizens</c>: how citizens sign in (OpenID Connect, as VNeID-based portals do) and share copies.</summary>
public sealed class CitizenOptions
{
    public const string Section = "Certification:Citizens";

    /// <summary>The citizens' identity provider. Empty Authority in demo mode: the development provider this process serves
    /// at <c>/dev-idp/</c> (OpenIddict); outside demo mode citizen sign-in is off until an Authority is configured.</summary>
    public string? Authority { get; set; }
    public string ClientId { get; set; } = "certification-citizens";
    /// <summary>The client secret registered with the provider (configuration or environment only, never the repository).
    /// The development provider generates its own into DataDirectory/keys.</summary>
    public string? ClientSecret { get; set; }
    /// <summary>The ID-token claim holding the citizen's personal identification number (số định danh cá nhân).</summary>
    public string IdNumberClaim { get; set; } = "citizen_id";
    public string NameClaim { get; set; } = "name";
    public string Scopes { get; set; } = "openid profile";

    /// <summary>How long a share lasts when the request names no expiry, and the longest allowed.</summary>
    public TimeSpan DefaultShareLifetime { get; set; } = TimeSpan.FromDays(30);
    public TimeSpan MaxShareLifetime { get; set; } = TimeSpan.FromDays(365);
}

/// <summary><c>Certification:Webhooks</c>: where events (<c>copy.certified</c>, <c>copy.revoked</c>, <c>copy.extended</c>,
/// <c>share.created</c>) are delivered.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Certification:Webhooks";

    public List<WebhookSubscriber> Subscribers { get; set; } = [];
    /// <summary>After this many failed attempts a delivery becomes a dead letter.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 10;
    /// <summary>The wait after the first failure; doubled after each further one, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(10);
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(6);
    /// <summary>How often the dispatcher looks for due deliveries (it is also woken when an event commits).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>How long one call may take; the delivery is leased for this long, so another node retries it only after.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}

public sealed class WebhookSubscriber
{
    [Required]
    public string Name { get; set; } = "";
    [Required]
    public string Url { get; set; } = "";
    /// <summary>The HMAC-SHA256 key for the <c>X-Certification-Signature</c> header (configuration or environment only).</summary>
    [Required]
    public string Secret { get; set; } = "";
    /// <summary>Event types sent to this subscriber; empty means all.</summary>
    public List<string> Events { get; set; } = [];
}
