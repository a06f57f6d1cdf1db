using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Certification.Signing.Cms;
using Certification.Signing.Documents;
using Certification.Signing.Pades;
using Certification.Signing.Revocation;
using Certification.Signing.Timestamps;
using Org.BouncyCastle.Asn1.X509;

namespace Certification.Cli;

/// <summary>
/// <c>certify --scan FILE [--scan FILE]... --pki DIR --number N --book TEXT --title TEXT --out OUT.pdf
/// [--level B-B|B-T|B-LT|B-LTA] [--tsa URL] ...</c>: composes the certified copy of the scans (in the given
/// order) and signs it with DIR/officer.p12 (certification signature) then DIR/office.p12 (the seal).
/// Level: B-LT when a TSA is given, else B-B; B-T and above need --tsa (a B-LT signature is a B-T
/// signature plus validation data, ETSI EN 319 142-1 § 6.3). A refused scan exits 4 with its code and
/// writes nothing.
/// </summary>
public static class CertifyCommand
{
    public const string Usage = "certify --scan FILE [--scan FILE]... --pki DIR --number N --book TEXT --title TEXT --out OUT.pdf [--level B-B|B-T|B-LT|B-LTA] [--tsa URL] [--date YYYY-MM-DD] [--office-name TEXT] [--office-code TEXT] [--certifier-name TEXT] [--certifier-title TEXT] [--authorisation TEXT] [--lookup-code TEXT] [--verify-url BASE] [--min-dpi N] [--free] [--allow-non-scan-pdf]";

    private const string DefaultVerifyUrl = "https://chungthuc.example.invalid/tra-cuu/";

    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var cli = new CliArguments(args,
            new HashSet<string> { "scan", "pki", "number", "book", "title", "out", "level", "tsa", "date", "office-name", "office-code",
                "certifier-name", "certifier-title", "authorisation", "lookup-code", "verify-url", "min-dpi" },
            new HashSet<string> { "free", "allow-non-scan-pdf" });
        if (cli.Positionals.Count > 0) throw new UsageException($"Unexpected argument '{cli.Positionals[0]}': scans are given with --scan FILE");
        var scans = cli.Values("scan");
        if (scans.Count == 0) throw new UsageException("Missing required option --scan (one per file, in page order)");
        var pkiDir = cli.Required("pki");
        var number = cli.Required("number");
        var book = cli.Required("book");
        var title = cli.Required("title");
        var output = cli.Required("out");
        var tsaUrl = cli.Value("tsa");
        var level = cli.Value("level") is { } l ? ParseLevel(l) : tsaUrl is null ? PadesLevel.BaselineB : PadesLevel.BaselineLT;
        if (level >= PadesLevel.BaselineT && tsaUrl is null)
            throw new UsageException($"PAdES {level.Name()} needs a timestamp authority: add --tsa URL (without one, use --level B-B)");
        var date = cli.Value("date") is { } d
            ? DateOnly.TryParseExact(d, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed) ? parsed : throw new UsageException($"Invalid --date '{d}': use YYYY-MM-DD")
            : DateOnly.FromDateTime(DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(7)).DateTime);
        var limits = IntakeLimits.Default with
        {
            MinimumDpi = cli.Value("min-dpi") is { } m ? double.TryParse(m, CultureInfo.InvariantCulture, out var dpi) && dpi > 0 ? dpi : throw new UsageException($"Invalid --min-dpi '{m}'") : IntakeLimits.Default.MinimumDpi,
            AllowNonScanPdf = cli.Flag("allow-non-scan-pdf"),
        };
        var verifyBase = SignCommand.ParseUrl(cli.Value("verify-url") ?? DefaultVerifyUrl);
        var officerPath = Path.Combine(pkiDir, "officer.p12");
        var officePath = Path.Combine(pkiDir, "office.p12");
        foreach (var path in new[] { officerPath, officePath })
            if (!File.Exists(path)) throw new UsageException($"Key file not found: {path}");
        var files = new List<ScanFile>();
        foreach (var scan in scans)
        {
            if (!File.Exists(scan)) throw new UsageException($"Scan not found: {scan}");
            files.Add(new ScanFile(Path.GetFileName(scan), await File.ReadAllBytesAsync(scan, ct)));
        }

        var password = CliArguments.Pkcs12Password();
        using var certifier = Pkcs12SigningKey.Load(officerPath, password);
        using var office = Pkcs12SigningKey.Load(officePath, password);
        var officeCode = cli.Value("office-code") ?? "KHONG-RO";
        var lookup = cli.Value("lookup-code") ?? LookupCode(officeCode, book, number);
        var details = new CertificationDetails
        {
            CertificationNumber = number,
            Book = book,
            Date = date,
            OfficeName = cli.Value("office-name") ?? Organisation(office) ?? PadesSigner.SignerDisplayName(office.CertificateChain[0]),
            OfficeCode = officeCode,
            CertifierName = cli.Value("certifier-name") ?? PadesSigner.SignerDisplayName(certifier.CertificateChain[0]),
            CertifierTitle = cli.Value("certifier-title") ?? "Người thực hiện chứng thực",
            Authorisation = cli.Value("authorisation"),
            DocumentTitle = title,
            LookupCode = lookup,
            VerificationUrl = new Uri(verifyBase, Uri.EscapeDataString(lookup)),
            Fees = cli.Flag("free") ? FeeSchedule.Free : FeeSchedule.Circular226,
        };

        using var tsa = tsaUrl is null ? null : new HttpTimestampClient(SignCommand.ParseUrl(tsaUrl));
        using var revocation = new RevocationFetcher();
        var issuer = new CertifiedCopyIssuer(new PadesSigner(tsa, revocation), limits);
        IssuedFile? issued = null;
        try
        {
            // Composed straight into the output's temporary file and signed by appending to it: a 30 MB scan
            // set needs little more memory than the scans (docs/performance.md).
            await AtomicFile.WriteAsync(output, async file => issued = await issuer.IssueToFileAsync(files, details, certifier, office, file, level, ct), ct);
        }
        catch (ScanRejectedException e)
        {
            throw new UsageException($"[{e.Code}] {e.Message}");
        }
        Console.WriteLine($"Đã chứng thực / Certified: {output} (số {number}, {issued!.PageCount} trang / pages, lệ phí / fee {FeeSchedule.FormatVnd(issued.Fee)}, PAdES {level.Name()}, mã tra cứu / lookup {lookup}, SHA-256 {issued.Sha256Hex})");
        return 0;
    }

    private static PadesLevel ParseLevel(string text)
    {
        try { return PadesLevels.Parse(text); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
    }

    private static string? Organisation(ISigningKey key) =>
        key.CertificateChain[0].SubjectDN.GetValueList(X509Name.O).FirstOrDefault();

    /// <summary>A short code from the office, book and number (Crockford base 32, no look-alike letters), "K7Q2-9XPM".</summary>
    public static string LookupCode(string officeCode, string book, string number)
    {
        const string alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{officeCode}\n{book}\n{number}".Normalize(NormalizationForm.FormC)));
        var code = new StringBuilder();
        for (var i = 0; i < 8; i++)
        {
            if (i == 4) code.Append('-');
            code.Append(alphabet[hash[i] % 32]);
        }
        return code.ToString();
    }
}
