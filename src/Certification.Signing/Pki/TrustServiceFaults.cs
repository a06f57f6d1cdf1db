using System.Collections.Concurrent;
using System.Globalization;

namespace Certification.Signing.Pki;

/// <summary>One of the development trust services a fault can be injected into.</summary>
public enum TrustService
{
    /// <summary>The RFC 3161 time-stamping authority (<c>POST /tsa</c>).</summary>
    Timestamp,
    /// <summary>A second time-stamping endpoint of the same authority (<c>POST /tsa2</c>), for failover.</summary>
    AlternateTimestamp,
    /// <summary>The OCSP responder (RFC 6960, <c>/ocsp</c>).</summary>
    Ocsp,
    /// <summary>The CRL distribution points (RFC 5280 § 5, <c>/crl/{slug}.crl</c>).</summary>
    Crl,
}

/// <summary>What goes wrong, as production trust services go wrong.</summary>
public enum TrustServiceFaultKind
{
    /// <summary>The answer comes late (by <see cref="TrustServiceFault.Delay"/>), then normally.</summary>
    Delay,
    /// <summary>HTTP 500.</summary>
    ServerError,
    /// <summary>The connection is reset before any response.</summary>
    ConnectionReset,
    /// <summary>The headers announce the whole body, half of it arrives, then the connection closes.</summary>
    TruncatedBody,
    /// <summary>TSA or OCSP: a valid, signed reply for another nonce (a replayed or misrouted answer).</summary>
    WrongNonce,
    /// <summary>OCSP: a signed response whose nextUpdate has passed (RFC 6960 § 4.2.2.1).</summary>
    StaleOcsp,
    /// <summary>CRL: a 50 MB body (the real CRL followed by padding), as a CA with a long revocation list sends.</summary>
    HugeCrl,
    /// <summary>TSA: tokens signed with a TSA certificate that has expired (RFC 3161 § 2.3 requires it valid at genTime).</summary>
    ExpiredTsaCertificate,
}

/// <summary>A fault for one service; <see cref="Delay"/> only matters for <see cref="TrustServiceFaultKind.Delay"/>.</summary>
public sealed record TrustServiceFault(TrustService Service, TrustServiceFaultKind Kind, TimeSpan Delay = default)
{
    /// <summary>The size of the <see cref="TrustServiceFaultKind.HugeCrl"/> body.</summary>
    public const long HugeCrlBytes = 50L * 1024 * 1024;

    private static readonly (string Name, TrustServiceFaultKind Kind, TrustService[] Services)[] Names =
    [
        ("delay", TrustServiceFaultKind.Delay, [TrustService.Timestamp, TrustService.AlternateTimestamp, TrustService.Ocsp, TrustService.Crl]),
        ("500", TrustServiceFaultKind.ServerError, [TrustService.Timestamp, TrustService.AlternateTimestamp, TrustService.Ocsp, TrustService.Crl]),
        ("reset", TrustServiceFaultKind.ConnectionReset, [TrustService.Timestamp, TrustService.AlternateTimestamp, TrustService.Ocsp, TrustService.Crl]),
        ("truncated", TrustServiceFaultKind.TruncatedBody, [TrustService.Timestamp, TrustService.AlternateTimestamp, TrustService.Ocsp, TrustService.Crl]),
        ("wrong-nonce", TrustServiceFaultKind.WrongNonce, [TrustService.Timestamp, TrustService.AlternateTimestamp, TrustService.Ocsp]),
        ("stale", TrustServiceFaultKind.StaleOcsp, [TrustService.Ocsp]),
        ("50mb", TrustServiceFaultKind.HugeCrl, [TrustService.Crl]),
        ("expired-certificate", TrustServiceFaultKind.ExpiredTsaCertificate, [TrustService.Timestamp, TrustService.AlternateTimestamp]),
    ];

    /// <summary>The specification syntax, for usage messages.</summary>
    public const string Syntax = "SERVICE:FAULT[,...] with SERVICE tsa|tsa2|ocsp|crl and FAULT delay[=SECONDS]|500|reset|truncated|"
                                 + "wrong-nonce (tsa, tsa2, ocsp)|stale (ocsp)|50mb (crl)|expired-certificate (tsa, tsa2)";

    /// <summary>Parses <c>tsa:500,ocsp:stale,crl:delay=2.5</c>; an empty string or <c>none</c> is no fault.</summary>
    /// <exception cref="FormatException">Unknown service or fault, or a fault the service cannot have.</exception>
    public static IReadOnlyList<TrustServiceFault> ParseList(string? specification)
    {
        if (string.IsNullOrWhiteSpace(specification) || specification.Trim() == "none") return [];
        return specification.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Parse).ToList();
    }

    private static TrustServiceFault Parse(string item)
    {
        var colon = item.IndexOf(':');
        if (colon <= 0) throw new FormatException($"'{item}' is not SERVICE:FAULT ({Syntax}).");
        var service = item[..colon] switch
        {
            "tsa" => TrustService.Timestamp,
            "tsa2" => TrustService.AlternateTimestamp,
            "ocsp" => TrustService.Ocsp,
            "crl" => TrustService.Crl,
            var other => throw new FormatException($"Unknown trust service '{other}' ({Syntax})."),
        };
        var fault = item[(colon + 1)..];
        var equals = fault.IndexOf('=');
        var name = equals < 0 ? fault : fault[..equals];
        var entry = Names.FirstOrDefault(n => n.Name == name);
        if (entry.Name is null) throw new FormatException($"Unknown fault '{name}' ({Syntax}).");
        if (!entry.Services.Contains(service)) throw new FormatException($"The fault '{name}' does not apply to {item[..colon]} ({Syntax}).");
        var delay = TimeSpan.FromSeconds(5);
        if (equals >= 0)
        {
            if (entry.Kind != TrustServiceFaultKind.Delay
                || !double.TryParse(fault[(equals + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || seconds < 0 || seconds > 600)
                throw new FormatException($"'{item}': only delay takes a value, in seconds (0 to 600).");
            delay = TimeSpan.FromSeconds(seconds);
        }
        return new TrustServiceFault(service, entry.Kind, entry.Kind == TrustServiceFaultKind.Delay ? delay : default);
    }

    public override string ToString()
    {
        var service = Service switch { TrustService.Timestamp => "tsa", TrustService.AlternateTimestamp => "tsa2", TrustService.Ocsp => "ocsp", _ => "crl" };
        var name = Names.First(n => n.Kind == Kind).Name;
        return Kind == TrustServiceFaultKind.Delay ? $"{service}:{name}={Delay.TotalSeconds.ToString(CultureInfo.InvariantCulture)}" : $"{service}:{name}";
    }
}

/// <summary>
/// The faults currently switched on for the development trust services (at most one per service), and how
/// many requests each kind has spoiled. Thread-safe and switchable at run time, so a test can break a
/// service, watch the outcome, repair it and watch the recovery.
/// </summary>
public sealed class TrustServiceFaults
{
    private readonly ConcurrentDictionary<TrustService, TrustServiceFault> _active = new();
    private readonly ConcurrentDictionary<TrustServiceFaultKind, int> _injected = new();

    public TrustServiceFaults(IEnumerable<TrustServiceFault>? initial = null) => Set(initial ?? []);

    /// <summary>Replaces every active fault with <paramref name="faults"/> (the last one per service wins).</summary>
    public void Set(IEnumerable<TrustServiceFault> faults)
    {
        _active.Clear();
        foreach (var fault in faults) _active[fault.Service] = fault;
    }

    public void Clear() => _active.Clear();

    public IReadOnlyList<TrustServiceFault> Active => _active.Values.OrderBy(f => f.Service).ToList();

    /// <summary>Requests spoiled so far, per kind.</summary>
    public IReadOnlyDictionary<TrustServiceFaultKind, int> Injected => new Dictionary<TrustServiceFaultKind, int>(_injected);

    /// <summary>The fault for <paramref name="service"/>, counted as injected; null when it works normally.</summary>
    public TrustServiceFault? Take(TrustService service)
    {
        if (!_active.TryGetValue(service, out var fault)) return null;
        _injected.AddOrUpdate(fault.Kind, 1, (_, n) => n + 1);
        return fault;
    }
}
