using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Certification.Api.Domain;
using Certification.Signing.Cms;
using Org.BouncyCastle.X509;

namespace Certification.Api.Infrastructure;

/// <summary>
/// Opens the keys of signing identities. PKCS#12 identities are stored encrypted (AES-256-GCM, key from
/// configuration) together with their password; opened keys are cached in memory for the process lifetime.
/// PKCS#11 identities name a module, token and key; the PIN comes from the configuration setting the identity
/// names. External identities cannot be opened: they sign through the two-step flow.
/// </summary>
public sealed class SigningKeys(KeyProtector protector, IConfiguration configuration) : IDisposable
{
    private const string Purpose = "signing-identity/pkcs12";
    private readonly ConcurrentDictionary<int, Lazy<ISigningKey>> _open = new();

    public static byte[] ProtectPkcs12(KeyProtector protector, byte[] pkcs12, string password) =>
        protector.Protect(JsonSerializer.SerializeToUtf8Bytes(new Envelope(Convert.ToBase64String(pkcs12), password)), Purpose);

    public ISigningKey Open(SigningIdentity identity) => _open.GetOrAdd(identity.Id, _ => new Lazy<ISigningKey>(() => OpenCore(identity))).Value;

    private ISigningKey OpenCore(SigningIdentity identity)
    {
        switch (identity.Kind)
        {
            case SigningKeyKind.Pkcs12:
                byte[] plain;
                try
                {
                    plain = protector.Unprotect(identity.ProtectedPkcs12!, Purpose);
                }
                catch (System.Security.Cryptography.CryptographicException e)
                {
                    throw new SigningKeyUnavailableException(
                        $"This node cannot open signing identity {identity.Id}: set Certification__KeyEncryptionKey to the key the other nodes use.", e);
                }
                var envelope = JsonSerializer.Deserialize<Envelope>(plain)!;
                return Pkcs12SigningKey.Load(Convert.FromBase64String(envelope.Pkcs12), envelope.Password);
            case SigningKeyKind.Pkcs11:
                var pin = configuration[identity.Pkcs11PinSetting ?? ""] ?? throw new InvalidOperationException("The PKCS#11 PIN setting is not configured.");
                return Pkcs11SigningKey.Open(new Pkcs11KeyOptions(identity.Pkcs11Module!, identity.Pkcs11TokenLabel!, identity.Pkcs11KeyLabel,
                    CertificateChain: Chain(identity)), pin);
            default:
                throw new InvalidOperationException("An external signing identity signs through the two-step flow.");
        }
    }

    public static IReadOnlyList<X509Certificate> Chain(SigningIdentity identity) =>
        new X509CertificateParser().ReadCertificates(Encoding.ASCII.GetBytes(identity.CertificateChainPem)).ToList();

    public void Dispose()
    {
        foreach (var key in _open.Values.Where(l => l.IsValueCreated)) (key.Value as IDisposable)?.Dispose();
    }

    private sealed record Envelope(string Pkcs12, string Password);
}
