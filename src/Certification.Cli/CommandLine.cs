using System.Security.Cryptography;
using Certification.Signing.Pdf;
using Certification.Signing.Pki;
using Certification.Signing.Revocation;
using Certification.Signing.Timestamps;

namespace Certification.Cli;

/// <summary>Dispatches the verbs (one file each) and turns every failure into one readable line and an exit code.</summary>
public static class CommandLine
{
    /// <summary>Exit code for usage errors and unreadable input (shared with verify's contract).</summary>
    public const int UsageExit = 4;

    public static async Task<int> RunAsync(string[] args)
    {
        using var cancellation = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancellation.Cancel(); };
        Console.CancelKeyPress += onCancel;
        var verb = args.Length > 0 ? args[0] : "";
        try
        {
            return verb switch
            {
                "pki" => await PkiCommand.RunAsync(args[1..]),
                "sign" => await SignCommand.RunAsync(args[1..], cancellation.Token),
                "verify" => await VerifyCommand.RunAsync(args[1..]),
                "trust" => TrustCommand.Run(args[1..]),
                "certify" => await CertifyCommand.RunAsync(args[1..], cancellation.Token),
                "-h" or "--help" or "help" => Help(0),
                _ => Help(UsageExit),
            };
        }
        catch (UsageException e) { return Fail(e.Message, UsageExit); }
        catch (PdfFormatException e) { return Fail($"Tệp PDF không đọc được / Unreadable PDF: {e.Message}", UsageExit); }
        catch (SigningCertificateRejectedException e) { return Fail(e.Message, 1); }
        catch (Certification.Signing.Remote.CscException e) { return Fail(e.Message, SignCommand.CscExitCode(e.Failure)); }
        catch (Certification.Signing.Trust.TrustSourceRejectedException e) { return Fail($"Nguồn tin cậy bị từ chối / Trust source rejected: {e.Message}", 1); }
        catch (CryptographicException e) { return Fail($"Không mở được khoá / Cannot open the key (wrong CERTIFICATION_P12_PASSWORD?): {e.Message}", 1); }
        catch (System.Text.Json.JsonException e) { return Fail($"Tệp cấu hình hỏng / Corrupt data file: {e.Message}", 1); }
        catch (Exception e) when (e is TimestampException or RevocationFetchException or HttpRequestException or IOException or InvalidDataException or UnauthorizedAccessException or InvalidOperationException or ArgumentException or NotSupportedException)
        {
            return Fail(e.Message, 1);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static int Fail(string message, int exitCode)
    {
        // One line: the message may carry inner line breaks from libraries.
        Console.Error.WriteLine($"error: {message.ReplaceLineEndings(" ")}");
        return exitCode;
    }

    private static int Help(int exitCode)
    {
        var writer = exitCode == 0 ? Console.Out : Console.Error;
        writer.WriteLine("usage: certification <verb> ...");
        writer.WriteLine("  pki init DIR --base-url http://127.0.0.1:PORT");
        writer.WriteLine("  pki serve DIR");
        writer.WriteLine($"  {SignCommand.Usage}");
        writer.WriteLine($"  {VerifyCommand.Usage["usage: ".Length..]}");
        foreach (var line in TrustCommand.Usage) writer.WriteLine($"  {line}");
        writer.WriteLine($"  {CertifyCommand.Usage}");
        writer.WriteLine("PKCS#12 passwords come from the environment variable CERTIFICATION_P12_PASSWORD.");
        return exitCode;
    }
}
