using System.Globalization;
using Certification.Signing.Validation;
using Certification.Signing.Validation.Policy;
using Certification.Signing.Validation.Report;

namespace Certification.Cli;

/// <summary>
/// verify FILE.pdf [--trust FILE.pem]... [--trust-store DIR] [--offline] [--at ISO-8601] [--json | --etsi-xml]
/// --etsi-xml prints the ETSI TS 119 102-2 XML validation report. Exit codes (the same for every output): 0 TOTAL_PASSED, 1 TOTAL_FAILED, 2 INDETERMINATE, 3 NO_SIGNATURE_FOUND, 4 unreadable input or usage error.
/// </summary>
public static class VerifyCommand
{
    public const string Usage = "usage: verify FILE.pdf [--trust FILE.pem|DIR]... [--trust-store DIR] [--offline] [--at ISO-8601] [--json | --etsi-xml]";

    public static async Task<int> RunAsync(string[] args)
    {
        {
            var cli = new CliArguments(args, new HashSet<string> { "trust", "trust-store", "at" }, new HashSet<string> { "offline", "json", "etsi-xml" });
            if (cli.Flag("json") && cli.Flag("etsi-xml")) throw new UsageException("--json and --etsi-xml exclude each other");
            if (cli.Positionals.Count != 1) throw new UsageException(Usage);
            var path = cli.Positionals[0];
            if (!File.Exists(path)) throw new UsageException($"File '{path}' does not exist");

            var anchors = new List<Org.BouncyCastle.X509.X509Certificate>();
            foreach (var trust in cli.Values("trust"))
            {
                try { anchors.AddRange(TrustAnchors.Load(trust)); }
                catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
                {
                    throw new UsageException($"Cannot load trust anchors from '{trust}': {e.Message}");
                }
            }
            DateTimeOffset? at = null;
            if (cli.Value("at") is { } atText)
            {
                if (!DateTimeOffset.TryParse(atText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
                    throw new UsageException($"--at '{atText}' is not an ISO 8601 date and time");
                at = parsed;
            }

            // Offline, no HTTP client is built at all (its set-up is a noticeable share of a short run).
            var offline = cli.Flag("offline");
            using var online = offline ? null : new Certification.Signing.Revocation.HttpValidationDataSource();
            var options = new ValidationOptions
            {
                TrustAnchors = anchors,
                TrustStore = cli.Value("trust-store") is { } storeDirectory ? TrustCommand.Open(storeDirectory, anchors) : null,
                Offline = offline,
                OnlineSource = online,
                ValidationTime = at,
            };
            MappedFile data;
            try { data = MappedFile.Open(path); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"Cannot read '{path}': {e.Message}");
            }
            ValidationReport report;
            string sha256;
            using (data)
            {
                report = await PdfSignatureValidator.ValidateAsync(data.Bytes, options);
                sha256 = cli.Flag("etsi-xml") ? Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(data.Bytes.Span)) : "";
            }
            Console.Out.Write(cli.Flag("json") ? report.ToJson() + Environment.NewLine
                : cli.Flag("etsi-xml") ? EtsiValidationReport.Write(report, sha256) + Environment.NewLine
                : report.ToPlainText());
            return ExitCode(report);
        }
    }

    public static int ExitCode(ValidationReport report) => !report.Readable ? 4 : report.Indication switch
    {
        Indication.TotalPassed => 0,
        Indication.TotalFailed => 1,
        Indication.Indeterminate => 2,
        _ => 3,
    };
}
