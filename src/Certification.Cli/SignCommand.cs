using Certification.Signing.Cms;
using Certification.Signing.Pades;
using Certification.Signing.Revocation;
using Certification.Signing.Timestamps;

namespace Certification.Cli;

/// <summary>
/// <c>sign IN.pdf OUT.pdf --key FILE.p12 [--level B-B|B-T|B-LT|B-LTA] [--tsa URL] [--certify]
/// [--visible PAGE:X,Y,W,H] [--reason TEXT] [--location TEXT] [--field NAME] [--subfilter cades|pkcs7]</c>.
/// The output is written to a temporary file and renamed, so a failed run never leaves a partial PDF.
/// </summary>
public static class SignCommand
{
    public const string Usage = "sign IN.pdf OUT.pdf --key FILE.p12 [--level B-B|B-T|B-LT|B-LTA] [--tsa URL] [--certify] [--visible PAGE:X,Y,W,H] [--reason TEXT] [--location TEXT] [--field NAME] [--subfilter cades|pkcs7]";

    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var cli = new CliArguments(args,
            new HashSet<string> { "key", "level", "tsa", "visible", "reason", "location", "field", "subfilter" },
            new HashSet<string> { "certify" });
        var input = cli.Positional(0, "input PDF");
        var output = cli.Positional(1, "output PDF");
        var keyPath = cli.Required("key");
        var tsaUrl = cli.Value("tsa");
        var level = cli.Value("level") is { } l ? ParseLevel(l) : tsaUrl is null ? PadesLevel.BaselineB : PadesLevel.BaselineT;
        if (level >= PadesLevel.BaselineT && tsaUrl is null)
            throw new UsageException($"PAdES {level.Name()} needs a timestamp authority: add --tsa URL");
        var request = new SignatureRequest
        {
            Level = level,
            FieldName = cli.Value("field"),
            CertifyPermissions = cli.Flag("certify") ? 2 : null,
            Reason = cli.Value("reason"),
            Location = cli.Value("location"),
            SubFilter = cli.Value("subfilter") switch
            {
                null or "cades" => SignatureSubFilter.CadesDetached,
                "pkcs7" => SignatureSubFilter.Pkcs7Detached,
                var other => throw new UsageException($"Unknown --subfilter '{other}': use cades or pkcs7"),
            },
            Appearance = cli.Value("visible") is { } visible ? ParseAppearance(visible) : null,
        };
        if (!File.Exists(input)) throw new UsageException($"Input file not found: {input}");
        if (!File.Exists(keyPath)) throw new UsageException($"Key file not found: {keyPath}");

        using var key = Pkcs12SigningKey.Load(keyPath, CliArguments.Pkcs12Password());
        using var tsa = tsaUrl is null ? null : new HttpTimestampClient(ParseUrl(tsaUrl));
        using var revocation = new RevocationFetcher();
        var signer = new PadesSigner(tsa, revocation);
        var pdf = await File.ReadAllBytesAsync(input, ct);
        await AtomicFile.WriteAsync(output, stream => signer.SignAsync(pdf, key, request, stream, ct), ct);
        Console.WriteLine($"Đã ký / Signed: {output} (PAdES {level.Name()}, {PadesSigner.SignerDisplayName(key.CertificateChain[0])})");
        return 0;
    }

    private static PadesLevel ParseLevel(string text)
    {
        try { return PadesLevels.Parse(text); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
    }

    private static SignatureAppearance ParseAppearance(string text)
    {
        try { return SignatureAppearance.Parse(text); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
    }

    public static Uri ParseUrl(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
            ? url
            : throw new UsageException($"Not an http(s) URL: {text}");
}
