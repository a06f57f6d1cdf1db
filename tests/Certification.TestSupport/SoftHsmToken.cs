using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Certification.Signing.Cms;
using Certification.Signing.Pki;
using Certification.TestSupport.ExternalTools;

namespace Certification.TestSupport;

/// <summary>A throwaway SoftHSM token holding one private key (id 01) and its certificate chain, for
/// PKCS#11 tests. PINs are generated per token.
/// <para>SoftHSM reads SOFTHSM2_CONF once, when the module is initialised in this process, so every
/// token of a test process lives in one per-process token directory (set with setenv before first
/// use); each token has its own label and is deleted on dispose.</para>
/// <para>Test classes that make tokens share the xunit collection <see cref="TestCollection"/>: a module
/// loaded in this process does not see tokens made after it was loaded, and fails on tokens deleted
/// under it, so no token may come or go while another test has a key open.</para></summary>
public sealed class SoftHsmToken : IDisposable
{
    public const string ModulePath = "/usr/lib/softhsm/libsofthsm2.so";

    /// <summary>The xunit collection of every test class that makes tokens (see the class summary).</summary>
    public const string TestCollection = "SoftHSM tokens";

    private static readonly Lazy<string> ConfigPath = new(CreateProcessConfig);

    private SoftHsmToken(string label, string userPin, string soPin, string keyLabel, byte[] keyId, IssuedCredential? credential)
    {
        Label = label;
        UserPin = userPin;
        SoPin = soPin;
        KeyLabel = keyLabel;
        KeyId = keyId;
        Credential = credential;
    }

    public string Label { get; }
    public string UserPin { get; }
    public string SoPin { get; }
    public string KeyLabel { get; }
    public byte[] KeyId { get; }

    /// <summary>The <see cref="TestPki"/> credential whose key was imported (chain: leaf, root); null when
    /// created from the caller's key.</summary>
    public IssuedCredential? Credential { get; }

    /// <summary>Environment for child processes (softhsm2-util, pkcs11-tool) that must see this token.</summary>
    public static IReadOnlyDictionary<string, string?> Environment => new Dictionary<string, string?> { ["SOFTHSM2_CONF"] = ConfigPath.Value };

    /// <summary>A token holding the key of a fresh leaf issued by <see cref="TestPki.Shared"/>'s root
    /// (<see cref="TestPki.IssueLeaf"/>) with the leaf certificate (id 01) and the root certificate (id 02).</summary>
    public static SoftHsmToken Create(KeyAlgorithm keyAlgorithm = KeyAlgorithm.Rsa2048, string leafCommonName = "Token Signer")
    {
        var credential = TestPki.Shared.IssueLeaf(leafCommonName, keyAlgorithm);
        return CreateWith(credential.PrivateKey.ExportPkcs8PrivateKey(), credential.Chain.Select(c => c.GetEncoded()).ToList(), credential);
    }

    /// <summary>A token holding <paramref name="pkcs8PrivateKey"/> and <paramref name="certificatesDer"/>
    /// (signer first, with id 01; issuers with ids 02, 03, ...).</summary>
    public static SoftHsmToken CreateWith(byte[] pkcs8PrivateKey, IReadOnlyList<byte[]> certificatesDer, IssuedCredential? credential = null)
    {
        ExternalTool.RequireTool("softhsm2-util");
        ExternalTool.RequireTool("pkcs11-tool");
        if (!File.Exists(ModulePath)) throw new ExternalToolMissingException(ModulePath, "softhsm2");
        var env = Environment;
        var label = "t" + Convert.ToHexString(RandomNumberGenerator.GetBytes(6)).ToLowerInvariant();
        var userPin = RandomDigits(8);
        var soPin = RandomDigits(10);
        const string keyLabel = "signing-key";
        byte[] keyId = [0x01];

        ExternalTool.RunChecked("softhsm2-util", ["--init-token", "--free", "--label", label, "--so-pin", soPin, "--pin", userPin], environment: env);
        var token = new SoftHsmToken(label, userPin, soPin, keyLabel, keyId, credential);
        try
        {
            using var dir = new TempDirectory("softhsm-import");
            var keyFile = dir.File("key.pk8");
            File.WriteAllText(keyFile, PemEncoding.WriteString("PRIVATE KEY", pkcs8PrivateKey) + "\n");
            ExternalTool.RunChecked("softhsm2-util", ["--import", keyFile, "--token", label, "--label", keyLabel, "--id", "01", "--pin", userPin], environment: env);
            File.Delete(keyFile);
            for (var i = 0; i < certificatesDer.Count; i++)
            {
                var certFile = dir.File($"cert{i}.der");
                File.WriteAllBytes(certFile, certificatesDer[i]);
                ExternalTool.RunChecked("pkcs11-tool", ["--module", ModulePath, "--token-label", label, "--login", "--pin", userPin,
                    "--write-object", certFile, "--type", "cert", "--id", (i + 1).ToString("X2"), "--label", i == 0 ? keyLabel : $"issuer-{i}"],
                    environment: env);
            }
            return token;
        }
        catch
        {
            token.Dispose();
            throw;
        }
    }

    /// <summary>Options for <see cref="Pkcs11SigningKey.Open"/> pointing at this token's key; the chain is
    /// read from the token unless <paramref name="withChainFromCaller"/>.</summary>
    public Pkcs11KeyOptions KeyOptions(SignatureAlgorithm? algorithm = null, bool withChainFromCaller = false, bool byLabel = true, bool byId = true) =>
        new(ModulePath, Label, byLabel ? KeyLabel : null, byId ? KeyId : null, algorithm,
            withChainFromCaller && Credential is not null ? Credential.Chain : null);

    /// <summary>Opens the key with this token's user PIN.</summary>
    public Pkcs11SigningKey OpenKey(SignatureAlgorithm? algorithm = null, bool withChainFromCaller = false) =>
        Pkcs11SigningKey.Open(KeyOptions(algorithm, withChainFromCaller), UserPin);

    public void Dispose()
    {
        ExternalTool.Run("softhsm2-util", ["--delete-token", "--token", Label], environment: Environment);
    }

    private static string RandomDigits(int count) =>
        string.Concat(Enumerable.Range(0, count).Select(_ => (char)('0' + RandomNumberGenerator.GetInt32(10))));

    private static string CreateProcessConfig()
    {
        var dir = Directory.CreateTempSubdirectory("softhsm-").FullName;
        var tokens = Path.Combine(dir, "tokens");
        Directory.CreateDirectory(tokens);
        var config = Path.Combine(dir, "softhsm2.conf");
        File.WriteAllText(config, $"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n");
        // The module in this process reads the native environment, which .NET's
        // Environment.SetEnvironmentVariable does not change on Unix.
        if (setenv("SOFTHSM2_CONF", config, 1) != 0) throw new InvalidOperationException("setenv(SOFTHSM2_CONF) failed.");
        System.Environment.SetEnvironmentVariable("SOFTHSM2_CONF", config);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        };
        return config;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int setenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);
}
