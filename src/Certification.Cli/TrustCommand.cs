using System.Globalization;
using Certification.Signing.Trust;

namespace Certification.Cli;

/// <summary>
/// trust import FILE --store DIR --name NAME --purpose P [--purpose P]... [--operator CERT.pem] [--granted T] [--withdrawn T]
/// trust list --store DIR
/// trust show QUERY --store DIR
/// A FILE given with --operator (or ending in .xml) is an ETSI TS 119 612 trusted list, accepted only when its
/// signature verifies with the operator's certificate and it has not expired; otherwise a PEM/DER bundle.
/// Purposes: public-duty, public-ca, timestamps.
/// </summary>
public static class TrustCommand
{
    public static readonly string[] Usage =
    [
        "trust import FILE --store DIR --name NAME --purpose public-duty|public-ca|timestamps... [--operator LIST-OPERATOR.pem] [--granted ISO-8601] [--withdrawn ISO-8601]",
        "trust list --store DIR",
        "trust show FINGERPRINT|NAME --store DIR",
    ];

    public static int Run(string[] args)
    {
        var verb = args.Length > 0 ? args[0] : "";
        var cli = new CliArguments(args.Skip(1), new HashSet<string> { "store", "name", "purpose", "operator", "granted", "withdrawn" }, new HashSet<string>());
        return verb switch
        {
            "import" => Import(cli),
            "list" => List(cli),
            "show" => Show(cli),
            _ => throw new UsageException("usage: " + string.Join(" | ", Usage)),
        };
    }

    /// <summary>The store in <paramref name="directory"/> plus <paramref name="extra"/> anchors (--trust) for every purpose;
    /// a source that no longer passes is reported on standard error and left out.</summary>
    public static TrustStore Open(string directory, IReadOnlyList<Org.BouncyCastle.X509.X509Certificate> extra)
    {
        if (!Directory.Exists(directory)) throw new UsageException($"Trust store '{directory}' does not exist");
        var store = new TrustStoreDirectory(directory).Load(DateTimeOffset.UtcNow);
        foreach (var rejected in store.Sources.Where(s => !s.Accepted)) Console.Error.WriteLine($"warning: {rejected.Name}: {rejected.Message}");
        return extra.Count == 0 ? store : new TrustStore([.. store.Anchors, .. TrustStore.FromCertificates(extra).Anchors], store.Sources, store.LoadedAt);
    }

    private static int Import(CliArguments cli)
    {
        var file = cli.Positional(0, "the file to import");
        if (!File.Exists(file)) throw new UsageException($"File '{file}' does not exist");
        var operatorCertificate = cli.Value("operator");
        if (operatorCertificate is not null && !File.Exists(operatorCertificate)) throw new UsageException($"File '{operatorCertificate}' does not exist");
        var purposes = cli.Values("purpose").Select(Purpose).Distinct().ToList();
        if (purposes.Count == 0) throw new UsageException("Missing required option --purpose");
        var isList = operatorCertificate is not null || file.EndsWith(".xml", StringComparison.OrdinalIgnoreCase);
        if (isList && operatorCertificate is null) throw new UsageException("A trusted list needs --operator (the list operator's certificate)");
        var source = new TrustSource
        {
            Name = cli.Required("name"),
            Kind = isList ? TrustSource.TrustedListKind : TrustSource.BundleKind,
            File = file,
            Purposes = purposes,
            OperatorCertificate = operatorCertificate,
            GrantedFrom = Time(cli.Value("granted"), "granted"),
            WithdrawnFrom = Time(cli.Value("withdrawn"), "withdrawn"),
        };
        var directory = new TrustStoreDirectory(cli.Required("store"));
        var status = directory.Import(source, file, operatorCertificate, DateTimeOffset.UtcNow);
        var store = directory.Load(DateTimeOffset.UtcNow);
        Console.Out.WriteLine($"imported {status.Name}: {status.Message}");
        Console.Out.WriteLine($"trust store version {store.Version}");
        return 0;
    }

    private static int List(CliArguments cli)
    {
        var store = Load(cli);
        Console.Out.WriteLine($"trust store version {store.Version} ({store.Anchors.Count} entries)");
        foreach (var source in store.Sources)
            Console.Out.WriteLine($"source {source.Name} [{source.Kind}] {(source.Accepted ? "accepted" : "REJECTED")}: {source.Message}");
        foreach (var a in store.Anchors.OrderBy(a => a.Purpose).ThenBy(a => a.Name, StringComparer.Ordinal))
            Console.Out.WriteLine($"{a.Fingerprint[..16]}  {PurposeName(a.Purpose),-11}  {a.StatusAt(DateTimeOffset.UtcNow)?.ToString().ToLowerInvariant() ?? "not-yet-granted",-15}  {a.Name}  ({a.Source})");
        return 0;
    }

    private static int Show(CliArguments cli)
    {
        var query = cli.Positional(0, "a fingerprint prefix or a name");
        var store = Load(cli);
        var found = store.Find(query);
        if (found.Count == 0) throw new UsageException($"No trust store entry matches '{query}'");
        foreach (var a in found)
        {
            Console.Out.WriteLine($"{a.Name}");
            Console.Out.WriteLine($"  subject:     {a.Certificate.SubjectDN}");
            Console.Out.WriteLine($"  issuer:      {a.Certificate.IssuerDN}");
            Console.Out.WriteLine($"  sha-256:     {a.Fingerprint}");
            Console.Out.WriteLine($"  valid:       {a.Certificate.NotBefore:u} – {a.Certificate.NotAfter:u}");
            Console.Out.WriteLine($"  purpose:     {PurposeName(a.Purpose)}");
            Console.Out.WriteLine($"  source:      {a.Source}");
            if (a.History.Count == 0) Console.Out.WriteLine("  status:      granted (no dates)");
            foreach (var h in a.History)
                Console.Out.WriteLine($"  status:      {h.Status.ToString().ToLowerInvariant()} from {(h.From == DateTimeOffset.MinValue ? "the start" : h.From.ToString("u", CultureInfo.InvariantCulture))}");
        }
        return 0;
    }

    private static TrustStore Load(CliArguments cli)
    {
        var path = cli.Required("store");
        if (!Directory.Exists(path)) throw new UsageException($"Trust store '{path}' does not exist");
        return new TrustStoreDirectory(path).Load(DateTimeOffset.UtcNow);
    }

    public static TrustPurpose Purpose(string text) => text switch
    {
        "public-duty" => TrustPurpose.PublicDutySignatures,
        "public-ca" => TrustPurpose.PublicCaSignatures,
        "timestamps" => TrustPurpose.Timestamps,
        _ => throw new UsageException($"--purpose '{text}' is not one of public-duty, public-ca, timestamps"),
    };

    public static string PurposeName(TrustPurpose purpose) => purpose switch
    {
        TrustPurpose.PublicDutySignatures => "public-duty",
        TrustPurpose.PublicCaSignatures => "public-ca",
        _ => "timestamps",
    };

    private static DateTimeOffset? Time(string? text, string option) =>
        text is null ? null
        : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t
        : throw new UsageException($"--{option} '{text}' is not an ISO 8601 date and time");
}
