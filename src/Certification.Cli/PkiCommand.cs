using System.Runtime.InteropServices;
using Certification.Signing.Pki;
using Remote = Certification.Signing.Remote;

namespace Certification.Cli;

/// <summary>
/// <c>pki init DIR --base-url http://127.0.0.1:PORT</c> creates a development PKI in DIR;
/// <c>pki serve DIR [--faults SPEC] [--approval-delay SECONDS]</c> serves its TSA, OCSP responder, CRLs and CA
/// certificates on the base URL's port (loopback) until Ctrl+C or SIGTERM, optionally breaking them as production
/// services break (delay, 500, connection reset, truncated body, wrong nonce, stale OCSP, 50 MB CRL, expired TSA
/// certificate) to test clients against, and the development remote signing provider (CSC API v2) under
/// <c>/csc/v2/</c> for the client named by <c>CERTIFICATION_CSC_CLIENT_ID</c> / <c>CERTIFICATION_CSC_CLIENT_SECRET</c>;
/// <c>pki approve|deny REQUEST --url BASE</c> answers a pending signature request as the holder's phone would.
/// PKCS#12 password: environment variable CERTIFICATION_P12_PASSWORD.
/// </summary>
public static class PkiCommand
{
    public const string PasswordVariable = "CERTIFICATION_P12_PASSWORD";

    private const string Synopsis = "pki init DIR --base-url http://127.0.0.1:PORT | pki serve DIR [--faults SERVICE:FAULT,...] [--approval-delay SECONDS] | pki approve|deny REQUEST --url BASE";

    /// <summary>Exit codes: 0 success, 1 failure, 4 usage or configuration error (e.g. no password).
    /// Errors are thrown (<see cref="UsageException"/> for usage) and printed by <see cref="CommandLine"/>.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        // args may start with the verb itself ("pki init ...") or with the sub-verb ("init ...").
        var rest = args.Length > 0 && args[0] == "pki" ? args[1..] : args;
        if (rest.Length == 0)
            throw Usage("missing sub-command");
        return rest[0] switch
        {
            "init" => Init(Parse(rest[1..], "base-url")),
            "serve" => await ServeAsync(Parse(rest[1..], "faults", "approval-delay")),
            "approve" => await DecideAsync(Parse(rest[1..], "url"), approve: true),
            "deny" => await DecideAsync(Parse(rest[1..], "url"), approve: false),
            "-h" or "--help" or "help" => Help(),
            _ => throw Usage($"unknown sub-command '{rest[0]}'"),
        };
    }

    private static int Init(CliArguments cli)
    {
        var directory = SinglePositional(cli, "pki init needs a directory");
        var baseUrl = cli.Value("base-url") ?? throw Usage("pki init needs --base-url http://127.0.0.1:PORT");
        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttp)
            throw Usage($"--base-url must look like http://127.0.0.1:PORT, not '{baseUrl}'");
        var password = CliArguments.Pkcs12Password();
        if (File.Exists(Path.Combine(directory, "pki.json")))
            throw new InvalidOperationException($"'{directory}' already holds a development PKI; choose an empty directory");

        var pki = DevelopmentPki.Create(url);
        pki.Save(directory, password);
        Console.WriteLine($"DEVELOPMENT PKI written to {Path.GetFullPath(directory)} (trust anchor roots.pem; signers officer.p12, office.p12, notary.p12; base URL {pki.BaseUrl})");
        return 0;
    }

    private static async Task<int> ServeAsync(CliArguments cli)
    {
        var directory = SinglePositional(cli, "pki serve needs exactly one directory");
        IReadOnlyList<TrustServiceFault> faults;
        try
        {
            faults = TrustServiceFault.ParseList(cli.Value("faults"));
        }
        catch (FormatException e)
        {
            throw Usage($"--faults: {e.Message}");
        }
        var password = CliArguments.Pkcs12Password();
        if (!File.Exists(Path.Combine(directory, "pki.json")))
            throw new InvalidOperationException($"'{directory}' holds no development PKI (run: pki init {directory} --base-url http://127.0.0.1:PORT)");

        var pki = DevelopmentPki.Load(directory, password);
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            stopped.TrySetResult();
        };
        Console.CancelKeyPress += onCancel;
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stopped.TrySetResult();
        });
        try
        {
            await using (var server = DevelopmentPkiServer.Start(pki, faults: new TrustServiceFaults(faults), csc: Provider(pki, cli.Value("approval-delay"))))
            {
                var remote = server.Csc is null ? $"no remote signing: set {SignCommand.ClientIdVariable} and {SignCommand.ClientSecretVariable}"
                    : $"remote signing {server.CscUrl}, approvals {server.Url}csc/approvals/ID";
                Console.WriteLine($"DEVELOPMENT PKI serving at {server.Url} (TSA {server.Url}tsa, OCSP {server.Url}ocsp, CRLs {server.Url}crl/, {remote}); Ctrl+C stops");
                if (faults.Count > 0) Console.WriteLine($"INJECTING FAULTS: {string.Join(", ", faults)}");
                await stopped.Task;
            }
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
        return 0;
    }

    /// <summary>The development CSC provider over the PKI's demo credentials, for the one client the environment names;
    /// null (no remote signing served) when the environment names none.</summary>
    private static Remote.DevelopmentCscProvider? Provider(DevelopmentPki pki, string? approvalDelay)
    {
        var clientId = Environment.GetEnvironmentVariable(SignCommand.ClientIdVariable);
        var secret = Environment.GetEnvironmentVariable(SignCommand.ClientSecretVariable);
        if (string.IsNullOrEmpty(clientId) || string.IsNullOrEmpty(secret)) return null;
        TimeSpan? delay = approvalDelay is null ? null
            : double.TryParse(approvalDelay, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds >= 0 ? TimeSpan.FromSeconds(seconds)
            : throw Usage($"--approval-delay takes a number of seconds, not '{approvalDelay}'");
        var credentials = Remote.DevelopmentCscProvider.DemoCredentials(pki);
        return new Remote.DevelopmentCscProvider(credentials, [new Remote.DevelopmentCscClient(clientId, secret, [.. credentials.Select(c => c.Id)])],
            new Remote.DevelopmentCscOptions { ApprovalDelay = delay });
    }

    /// <summary>What the approval page's buttons send: exit 0 when decided, 1 when there is no such pending request.</summary>
    private static async Task<int> DecideAsync(CliArguments cli, bool approve)
    {
        var request = SinglePositional(cli, $"pki {(approve ? "approve" : "deny")} needs the request id");
        var url = SignCommand.ParseUrl(cli.Value("url") ?? throw Usage("give the development PKI's --url http://127.0.0.1:PORT"));
        using var http = new HttpClient();
        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(url, $"csc/approvals/{Uri.EscapeDataString(request)}/{(approve ? "approve" : "deny")}"));
        message.Headers.Accept.ParseAdd("application/json");
        using var response = await http.SendAsync(message);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"Không có yêu cầu ký đang chờ / No pending signature request {request} at {url}");
        Console.WriteLine(approve ? $"Đã phê duyệt / Approved: {request}" : $"Đã từ chối / Denied: {request}");
        return 0;
    }

    /// <summary>Parses the sub-verb's arguments; usage errors carry the synopsis.</summary>
    private static CliArguments Parse(string[] args, params string[] valueOptions)
    {
        try
        {
            return new CliArguments(args, new HashSet<string>(valueOptions, StringComparer.Ordinal), new HashSet<string>());
        }
        catch (UsageException e)
        {
            throw Usage(e.Message);
        }
    }

    private static string SinglePositional(CliArguments cli, string problem) => cli.Positionals switch
    {
        [var only] => only,
        [] => throw Usage(problem),
        [_, var extra, ..] => throw Usage($"unexpected argument '{extra}'"),
    };

    private static UsageException Usage(string problem) => new($"{problem}. Usage: {Synopsis}");

    private static int Help()
    {
        Console.WriteLine("pki init DIR --base-url http://127.0.0.1:PORT   create a DEVELOPMENT PKI (roots.pem, officer.p12, office.p12, notary.p12)");
        Console.WriteLine("pki serve DIR [--approval-delay SECONDS]          serve its TSA (/tsa), OCSP (/ocsp), CRLs (/crl/), CA certificates (/certs/) and remote signing (/csc/v2/)");
        Console.WriteLine($"  --faults SPEC                                   inject faults: {TrustServiceFault.Syntax}");
        Console.WriteLine("pki approve|deny REQUEST --url BASE               approve or deny a pending remote signature request (the holder's phone)");
        Console.WriteLine($"Remote signing client: {SignCommand.ClientIdVariable}, {SignCommand.ClientSecretVariable}.");
        Console.WriteLine($"The PKCS#12 password comes from {PasswordVariable}.");
        return 0;
    }
}
