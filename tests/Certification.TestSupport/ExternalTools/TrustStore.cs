using System.Text.RegularExpressions;

namespace Certification.TestSupport.ExternalTools;

/// <summary>Trust anchors given to the judges as PEM text (one certificate or a bundle).</summary>
public static partial class TrustAnchors
{
    [GeneratedRegex("-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", RegexOptions.Singleline)]
    private static partial Regex PemCertificate();

    /// <summary>Splits PEM text (a file's content or several concatenated) into one PEM block per certificate.</summary>
    public static IReadOnlyList<string> SplitPem(string pemText) =>
        PemCertificate().Matches(pemText).Select(m => m.Value + "\n").ToList();

    /// <summary>Reads every certificate from the given PEM files (bundles allowed).</summary>
    public static IReadOnlyList<string> ReadPemFiles(IEnumerable<string> pemPaths)
    {
        var blocks = pemPaths.SelectMany(p => SplitPem(File.ReadAllText(p))).ToList();
        if (blocks.Count == 0) throw new ArgumentException("No PEM certificate found in the trust anchor files.");
        return blocks;
    }

    /// <summary>Writes all certificates of <paramref name="pemPaths"/> into one bundle file (for openssl -CAfile).</summary>
    public static string WriteBundle(IEnumerable<string> pemPaths, string bundlePath)
    {
        File.WriteAllText(bundlePath, string.Concat(ReadPemFiles(pemPaths)));
        return bundlePath;
    }
}
