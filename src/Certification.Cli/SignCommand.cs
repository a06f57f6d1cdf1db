using Certification.Signing.Cms;
using Certification.Signing.Pades;
using Certification.Signing.Remote;
using Certification.Signing.Revocation;
using Certification.Signing.Timestamps;

namespace Certification.Cli;

/// <summary>
/// <c>sign IN.pdf OUT.pdf --key FILE.p12 | --csc URL --credential ID [--approval-timeout SECONDS] [--level B-B|B-T|B-LT|B-LTA] [--tsa URL] [--certify]
/// [--visible PAGE:X,Y,W,H] [--reason TEXT] [--location TEXT] [--field NAME] [--subfilter cades|pkcs7]</c>.
/// The output is written to a temporary file and renamed, so a failed run never leaves a partial PDF. With
/// <c>--csc</c> the key is at a remote signing provider (CSC API v2, client credentials from
/// <c>CERTIFICATION_CSC_CLIENT_ID</c> / <c>CERTIFICATION_CSC_CLIENT_SECRET</c>): the run waits, with a progress line,
/// until the holder approves on the phone; a refusal exits with the code of its reason (<see cref="CscExitCode"/>).
/// </summary>
public static class SignCommand
{
    public const string ClientIdVariable = "CERTIFICATION_CSC_CLIENT_ID";
    public const string ClientSecretVariable = "CERTIFICATION_CSC_CLIENT_SECRET";

    public const string Usage = "sign IN.pdf OUT.pdf --key FILE.p12 | --csc URL --credential ID [--approval-timeout SECONDS] [--level B-B|B-T|B-LT|B-LTA] [--tsa URL] [--certify] [--visible PAGE:X,Y,W,H] [--reason TEXT] [--location TEXT] [--field NAME] [--subfilter cades|pkcs7]";

    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var cli = new CliArguments(args,
            new HashSet<string> { "key", "csc", "credential", "approval-timeout", "level", "tsa", "visible", "reason", "location", "field", "subfilter" },
            new HashSet<string> { "certify" });
        var input = cli.Positional(0, "input PDF");
        var output = cli.Positional(1, "output PDF");
        var cscUrl = cli.Value("csc");
        var keyPath = cscUrl is null ? cli.Required("key") : null;
        if (cscUrl is not null && cli.Value("key") is not null) throw new UsageException("Give --key or --csc, not both");
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
        if (keyPath is not null && !File.Exists(keyPath)) throw new UsageException($"Key file not found: {keyPath}");

        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var key = keyPath is not null ? Pkcs12SigningKey.Load(keyPath, CliArguments.Pkcs12Password())
            : await OpenRemoteAsync(http, ParseUrl(cscUrl!), cli.Required("credential"), cli.Value("approval-timeout"), ct);
        using var disposeKey = key as IDisposable;
        using var tsa = tsaUrl is null ? null : new HttpTimestampClient(ParseUrl(tsaUrl));
        using var revocation = new RevocationFetcher();
        var signer = new PadesSigner(tsa, revocation);
        var pdf = await File.ReadAllBytesAsync(input, ct);
        await AtomicFile.WriteAsync(output, stream => signer.SignAsync(pdf, key, request, stream, ct), ct);
        Console.WriteLine($"Đã ký / Signed: {output} (PAdES {level.Name()}, {PadesSigner.SignerDisplayName(key.CertificateChain[0])})");
        return 0;
    }

    /// <summary>The remote key: the client's own token (client credentials), the credential's chain from
    /// credentials/info, and a progress line while the provider waits for the holder's approval.</summary>
    private static async Task<ISigningKey> OpenRemoteAsync(HttpClient http, Uri url, string credentialId, string? timeout, CancellationToken ct)
    {
        var clientId = Environment.GetEnvironmentVariable(ClientIdVariable);
        var secret = Environment.GetEnvironmentVariable(ClientSecretVariable);
        if (string.IsNullOrEmpty(clientId) || string.IsNullOrEmpty(secret))
            throw new UsageException($"--csc needs the client id and secret in {ClientIdVariable} and {ClientSecretVariable}");
        var deadline = timeout is null ? TimeSpan.FromMinutes(2)
            : int.TryParse(timeout, out var seconds) && seconds > 0 ? TimeSpan.FromSeconds(seconds)
            : throw new UsageException($"--approval-timeout takes a number of seconds, not '{timeout}'");
        var client = new CscClient(http, new CscClientOptions { BaseUrl = url, ClientId = clientId, ClientSecret = secret });
        return await CscSigningKey.OpenAsync(client, new ClientCredentialsTokenSource(client), credentialId, new CscApprovalOptions
        {
            Deadline = deadline,
            PollInterval = TimeSpan.FromSeconds(1),
            Progress = new ProgressLine(),
        }, ct: ct);
    }

    /// <summary>Exit codes of a remote signing refusal: one per reason, after the general ones (0, 1, 4).</summary>
    public static int CscExitCode(CscFailure failure) => failure switch
    {
        CscFailure.Denied => 10,
        CscFailure.TimedOut => 11,
        CscFailure.AuthorisationExpired => 12,
        CscFailure.TokenExpired => 13,
        CscFailure.HashNotAuthorised => 14,
        CscFailure.WrongCredential => 15,
        CscFailure.ClientRejected => 16,
        CscFailure.Refused => 17,
        _ => 18,
    };

    /// <summary>Progress on stderr while the provider waits for the holder: a line at the start and then every
    /// 10 seconds (not one per poll, so a log stays readable).</summary>
    private sealed class ProgressLine : IProgress<CscSigningProgress>
    {
        private int? _lastTen;

        public void Report(CscSigningProgress value)
        {
            if (value.Stage != CscSigningStage.WaitingForApproval) return;
            var left = Math.Max(0, (int)Math.Ceiling((value.Deadline - DateTimeOffset.UtcNow).TotalSeconds));
            if (_lastTen == left / 10) return;
            _lastTen = left / 10;
            Console.Error.WriteLine($"Chờ phê duyệt trên điện thoại / Waiting for approval on the phone: request {value.ResponseId}, {left} s left");
        }
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
