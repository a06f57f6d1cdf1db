using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Certification.Signing.Pki;

namespace Certification.Cli;

/// <summary>
/// <c>pki init DIR --base-url http://127.0.0.1:PORT</c> creates a development PKI in DIR;
/// <c>pki serve DIR</c> serves its TSA, OCSP responder, CRLs and CA certificates on the base URL's port
/// (loopback) until Ctrl+C or SIGTERM. PKCS#12 password: environment variable CERTIFICATION_P12_PASSWORD.
/// </summary>
public static class PkiCommand
{
    public const string PasswordVariable = "CERTIFICATION_P12_PASSWORD";

    /// <summary>Exit codes: 0 success, 1 failure, 4 usage or configuration error (e.g. no password).</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        // args may start with the verb itself ("pki init ...") or with the sub-verb ("init ...").
        var rest = args.Length > 0 && args[0] == "pki" ? args[1..] : args;
        if (rest.Length == 0)
            return Usage("missing sub-command");
        try
        {
            return rest[0] switch
            {
                "init" => Init(rest[1..]),
                "serve" => await ServeAsync(rest[1..]),
                "-h" or "--help" or "help" => Help(),
                _ => Usage($"unknown sub-command '{rest[0]}'"),
            };
        }
        catch (CryptographicException e)
        {
            return Fail($"cannot open the PKI's key files (wrong {PasswordVariable}?): {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or InvalidOperationException or ArgumentException)
        {
            return Fail(e.Message);
        }
    }

    private static int Init(string[] args)
    {
        string? directory = null;
        string? baseUrl = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--base-url" when i + 1 < args.Length:
                    baseUrl = args[++i];
                    break;
                case "--base-url":
                    return Usage("--base-url needs a value");
                case var option when option.StartsWith("--", StringComparison.Ordinal):
                    return Usage($"unknown option '{option}'");
                default:
                    if (directory is not null)
                        return Usage($"unexpected argument '{args[i]}'");
                    directory = args[i];
                    break;
            }
        }
        if (directory is null)
            return Usage("pki init needs a directory");
        if (baseUrl is null)
            return Usage("pki init needs --base-url http://127.0.0.1:PORT");
        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttp)
            return Usage($"--base-url must look like http://127.0.0.1:PORT, not '{baseUrl}'");
        if (Password() is not { } password)
            return MissingPassword();
        if (File.Exists(Path.Combine(directory, "pki.json")))
            return Fail($"'{directory}' already holds a development PKI; choose an empty directory");

        var pki = DevelopmentPki.Create(url);
        pki.Save(directory, password);
        Console.WriteLine($"DEVELOPMENT PKI written to {Path.GetFullPath(directory)} (trust anchor roots.pem; signers officer.p12, office.p12, notary.p12; base URL {pki.BaseUrl})");
        return 0;
    }

    private static async Task<int> ServeAsync(string[] args)
    {
        if (args.Length != 1 || args[0].StartsWith("--", StringComparison.Ordinal))
            return Usage("pki serve needs exactly one directory");
        if (Password() is not { } password)
            return MissingPassword();
        var directory = args[0];
        if (!File.Exists(Path.Combine(directory, "pki.json")))
            return Fail($"'{directory}' holds no development PKI (run: pki init {directory} --base-url http://127.0.0.1:PORT)");

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
            await using (var server = DevelopmentPkiServer.Start(pki))
            {
                Console.WriteLine($"DEVELOPMENT PKI serving at {server.Url} (TSA {server.Url}tsa, OCSP {server.Url}ocsp, CRLs {server.Url}crl/); Ctrl+C stops");
                await stopped.Task;
            }
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
        return 0;
    }

    private static string? Password() =>
        Environment.GetEnvironmentVariable(PasswordVariable) is { Length: > 0 } password ? password : null;

    private static int MissingPassword()
    {
        Console.Error.WriteLine($"error: set the environment variable {PasswordVariable} to the PKCS#12 password");
        return 4;
    }

    private static int Usage(string problem)
    {
        Console.Error.WriteLine($"error: {problem}. Usage: pki init DIR --base-url http://127.0.0.1:PORT | pki serve DIR");
        return 4;
    }

    private static int Help()
    {
        Console.WriteLine("pki init DIR --base-url http://127.0.0.1:PORT   create a DEVELOPMENT PKI (roots.pem, officer.p12, office.p12, notary.p12)");
        Console.WriteLine("pki serve DIR                                     serve its TSA (/tsa), OCSP (/ocsp), CRLs (/crl/) and CA certificates (/certs/)");
        Console.WriteLine($"The PKCS#12 password comes from {PasswordVariable}.");
        return 0;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return 1;
    }
}
