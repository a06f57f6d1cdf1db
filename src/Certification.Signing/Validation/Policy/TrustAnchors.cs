using Org.BouncyCastle.X509;

namespace Certification.Signing.Validation.Policy;

/// <summary>Loads trust anchors from PEM bundles, DER files or a directory of them.</summary>
public static class TrustAnchors
{
    /// <summary>Every certificate in a PEM bundle or DER file, or in each *.pem/*.crt/*.cer/*.der of a directory.</summary>
    public static IReadOnlyList<X509Certificate> Load(string path)
    {
        if (Directory.Exists(path))
        {
            var result = new List<X509Certificate>();
            foreach (var file in Directory.EnumerateFiles(path).Order(StringComparer.Ordinal))
            {
                var ext = Path.GetExtension(file).ToLowerInvariant();
                if (ext is ".pem" or ".crt" or ".cer" or ".der") result.AddRange(Parse(File.ReadAllBytes(file), file));
            }
            return result;
        }
        if (!File.Exists(path)) throw new FileNotFoundException($"Trust anchor file '{path}' does not exist", path);
        return Parse(File.ReadAllBytes(path), path);
    }

    public static IReadOnlyList<X509Certificate> Parse(byte[] data, string source = "input")
    {
        var parser = new X509CertificateParser();
        try
        {
            var certificates = parser.ReadCertificates(data).ToList();
            if (certificates.Count == 0) throw new InvalidDataException($"No certificate found in '{source}'");
            return certificates;
        }
        catch (Exception e) when (e is not InvalidDataException)
        {
            throw new InvalidDataException($"'{source}' is not a PEM or DER certificate: {e.Message}", e);
        }
    }
}
