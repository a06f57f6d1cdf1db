using System.Text.Json;
using System.Text.Json.Serialization;
using Certification.Signing.Validation.Policy;

namespace Certification.Signing.Trust;

/// <summary>One configured source of a trust store directory (<c>sources.json</c>).</summary>
public sealed record TrustSource
{
    public required string Name { get; init; }

    /// <summary>"bundle" (PEM/DER certificates) or "trustedList" (ETSI TS 119 612 XML).</summary>
    public required string Kind { get; init; }

    /// <summary>The copy kept in the directory.</summary>
    public required string File { get; init; }

    /// <summary>A bundle's purposes; for a trusted list, the purpose of its CA services (TSA services are timestamps).</summary>
    public required IReadOnlyList<TrustPurpose> Purposes { get; init; }

    /// <summary>For a trusted list: the list operator's certificate its signature must verify with.</summary>
    public string? OperatorCertificate { get; init; }

    /// <summary>For a bundle: trusted from (granted) and until (withdrawn); null means without limit.</summary>
    public DateTimeOffset? GrantedFrom { get; init; }
    public DateTimeOffset? WithdrawnFrom { get; init; }

    public const string BundleKind = "bundle";
    public const string TrustedListKind = "trustedList";
}

/// <summary>
/// A trust store kept as a directory: <c>sources.json</c> and a copy of every source file. The CLI's
/// <c>trust import</c> writes it, the service reads it (and reloads it without a restart). A source is
/// checked before it is written, so a rejected list never replaces the accepted one; on load, a source
/// that no longer passes (its list expired, its file was altered) keeps the anchors the previous load
/// accepted from it.
/// </summary>
public sealed class TrustStoreDirectory(string path)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    public string Path { get; } = path;

    private string SourcesFile => System.IO.Path.Combine(Path, "sources.json");

    public IReadOnlyList<TrustSource> Sources() =>
        File.Exists(SourcesFile)
            ? JsonSerializer.Deserialize<SourcesDocument>(File.ReadAllBytes(SourcesFile), Json)?.Sources ?? []
            : [];

    /// <summary>Loads every source; a rejected source keeps what <paramref name="previous"/> had from it.</summary>
    public TrustStore Load(DateTimeOffset now, TrustStore? previous = null)
    {
        var anchors = new List<TrustedAnchor>();
        var statuses = new List<TrustSourceStatus>();
        foreach (var source in Sources())
        {
            try
            {
                var (loaded, status) = Read(source, System.IO.Path.Combine(Path, source.File), source.OperatorCertificate is { } op ? System.IO.Path.Combine(Path, op) : null, now);
                anchors.AddRange(loaded);
                statuses.Add(status);
            }
            catch (Exception e) when (e is TrustSourceRejectedException or IOException or InvalidDataException or UnauthorizedAccessException)
            {
                var kept = previous?.Anchors.Where(a => a.Source == source.Name).ToList() ?? [];
                anchors.AddRange(kept);
                statuses.Add(new TrustSourceStatus(source.Name, source.Kind, false,
                    $"{e.Message}; {(kept.Count > 0 ? $"the previously accepted version ({kept.Count} anchors) is kept" : "nothing from this source is trusted")}"));
            }
        }
        return new TrustStore(anchors, statuses, now);
    }

    /// <summary>Checks a source and, only when it is accepted, copies it into the directory (replacing a source of the same name).</summary>
    public TrustSourceStatus Import(TrustSource source, string file, string? operatorCertificate, DateTimeOffset now)
    {
        if (source.Name.Length == 0 || source.Name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')) || source.Name.StartsWith('.'))
            throw new ArgumentException($"Source name '{source.Name}' must be letters, digits, '-', '_' or '.'");
        var (_, status) = Read(source, file, operatorCertificate, now);
        Directory.CreateDirectory(Path);
        var extension = source.Kind == TrustSource.TrustedListKind ? ".xml" : ".pem";
        var stored = source with { File = source.Name + extension, OperatorCertificate = operatorCertificate is null ? null : source.Name + ".operator.pem" };
        WriteAtomically(System.IO.Path.Combine(Path, stored.File), File.ReadAllBytes(file));
        if (operatorCertificate is not null) WriteAtomically(System.IO.Path.Combine(Path, stored.OperatorCertificate!), File.ReadAllBytes(operatorCertificate));
        var sources = Sources().Where(s => s.Name != source.Name).Append(stored).ToList();
        WriteAtomically(SourcesFile, JsonSerializer.SerializeToUtf8Bytes(new SourcesDocument { Sources = sources }, Json));
        return status;
    }

    private static (IReadOnlyList<TrustedAnchor> Anchors, TrustSourceStatus Status) Read(TrustSource source, string file, string? operatorCertificate, DateTimeOffset now)
    {
        if (source.Purposes.Count == 0) throw new TrustSourceRejectedException($"source '{source.Name}' names no purpose");
        if (source.Kind == TrustSource.TrustedListKind)
        {
            if (operatorCertificate is null) throw new TrustSourceRejectedException($"trusted list '{source.Name}' needs the list operator's certificate");
            var op = TrustAnchors.Load(operatorCertificate)[0];
            var list = TrustedList.Read(File.ReadAllBytes(file), op, source.Purposes[0], now, source.Name);
            return (list.Anchors, new TrustSourceStatus(source.Name, source.Kind, true,
                $"trusted list of {list.Operator} ({list.Territory}), sequence {list.SequenceNumber}, issued {list.IssueDate:u}: {list.Anchors.Count} services",
                list.SequenceNumber, list.NextUpdate));
        }
        if (source.Kind != TrustSource.BundleKind) throw new TrustSourceRejectedException($"source '{source.Name}' has unknown kind '{source.Kind}'");
        var history = new List<TrustStatusChange>();
        if (source.GrantedFrom is { } granted) history.Add(new TrustStatusChange(TrustStatus.Granted, granted));
        else if (source.WithdrawnFrom is not null) history.Add(new TrustStatusChange(TrustStatus.Granted, DateTimeOffset.MinValue));
        if (source.WithdrawnFrom is { } withdrawn) history.Add(new TrustStatusChange(TrustStatus.Withdrawn, withdrawn));
        var certificates = TrustAnchors.Load(file);
        var anchors = certificates.SelectMany(c => source.Purposes.Select(p =>
            new TrustedAnchor(c, p, history, source.Name, Validation.Checks.CertificateChainCheck.CommonName(c)))).ToList();
        return (anchors, new TrustSourceStatus(source.Name, source.Kind, true, $"bundle of {certificates.Count} certificates"));
    }

    private static void WriteAtomically(string target, byte[] content)
    {
        var temp = target + ".tmp-" + Guid.NewGuid().ToString("N");
        File.WriteAllBytes(temp, content);
        File.Move(temp, target, overwrite: true);
    }

    private sealed class SourcesDocument
    {
        public List<TrustSource> Sources { get; set; } = [];
    }
}

/// <summary>The store in use by a long-running host, replaced as a whole on <see cref="Reload"/> (no restart):
/// validations already running keep the store they started with.</summary>
public sealed class ReloadableTrustStore(TrustStoreDirectory directory, TimeProvider clock)
{
    private TrustStore _current = directory.Load(clock.GetUtcNow());
    private readonly Lock _reload = new();

    public TrustStore Current => Volatile.Read(ref _current);

    public TrustStoreDirectory Directory => directory;

    public TrustStore Reload()
    {
        lock (_reload)
        {
            var next = directory.Load(clock.GetUtcNow(), Current);
            Volatile.Write(ref _current, next);
            return next;
        }
    }
}
