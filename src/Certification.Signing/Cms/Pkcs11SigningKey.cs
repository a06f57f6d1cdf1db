using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;
using Net.Pkcs11Interop.HighLevelAPI.Factories;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Nist;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using X509Certificate = Org.BouncyCastle.X509.X509Certificate;

namespace Certification.Signing.Cms;

/// <summary>Where a PKCS#11 signing key lives. The PIN is not part of it: it is passed separately to
/// <see cref="Pkcs11SigningKey.Open"/>, comes from the environment or a secret store, and is never logged.</summary>
/// <param name="LibraryPath">The PKCS#11 module, e.g. <c>/usr/lib/softhsm/libsofthsm2.so</c>.</param>
/// <param name="TokenLabel">CKA_LABEL of the token (as in the token info, without padding).</param>
/// <param name="KeyLabel">CKA_LABEL of the private key; this or <paramref name="KeyId"/> (or both) must be given.</param>
/// <param name="KeyId">CKA_ID of the private key.</param>
/// <param name="Algorithm">How to sign; by default RSA PKCS#1 v1.5 with SHA-256 for RSA keys and ECDSA
/// with SHA-256 for EC keys. RSA-PSS must be asked for.</param>
/// <param name="CertificateChain">Signer certificate first, then issuers. When null, read from the
/// token's certificate objects: the one with the key's CKA_ID (or label), then its issuers found there.</param>
public sealed record Pkcs11KeyOptions(
    string LibraryPath,
    string TokenLabel,
    string? KeyLabel = null,
    byte[]? KeyId = null,
    SignatureAlgorithm? Algorithm = null,
    IReadOnlyList<X509Certificate>? CertificateChain = null);

/// <summary>A private key on a PKCS#11 token (HSM, smart card, SoftHSM). Holds one logged-in session
/// for its lifetime; signing is serialised on it (PKCS#11 sessions are not for concurrent use,
/// PKCS#11 v2.40 § 5.6).</summary>
public sealed class Pkcs11SigningKey : ISigningKey, IDisposable
{
    private readonly SharedLibrary _library;
    private readonly ISession _session;
    private readonly IObjectHandle _key;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly int _ecFieldBytes;
    private bool _disposed;

    static Pkcs11SigningKey() => NativeResolver.Install();

    private Pkcs11SigningKey(SharedLibrary library, ISession session, IObjectHandle key, SignatureAlgorithm algorithm,
        IReadOnlyList<X509Certificate> chain, int ecFieldBytes)
    {
        _library = library;
        _session = session;
        _key = key;
        Algorithm = algorithm;
        CertificateChain = chain;
        _ecFieldBytes = ecFieldBytes;
    }

    public IReadOnlyList<X509Certificate> CertificateChain { get; }

    public SignatureAlgorithm Algorithm { get; }

    /// <summary>Loads the module (shared with other keys on it), finds the token by label, logs in as
    /// the user with <paramref name="pin"/>, and finds the private key.</summary>
    public static Pkcs11SigningKey Open(Pkcs11KeyOptions options, string pin)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(pin);
        if (options.KeyLabel is null && options.KeyId is null)
            throw new ArgumentException("Give the private key's label or id.", nameof(options));

        var library = SharedLibrary.Acquire(options.LibraryPath);
        ISession? session = null;
        try
        {
            var slot = library.Library.GetSlotList(SlotsType.WithTokenPresent)
                .FirstOrDefault(s => s.GetTokenInfo().Label.Trim() == options.TokenLabel)
                ?? throw new Pkcs11KeyException($"No token labelled '{options.TokenLabel}' in {options.LibraryPath}.");
            session = slot.OpenSession(SessionType.ReadOnly);
            try
            {
                session.Login(CKU.CKU_USER, pin);
            }
            catch (Pkcs11Exception e) when (e.RV == CKR.CKR_USER_ALREADY_LOGGED_IN)
            {
                // Another key on the same token logged the application in (login state is per token).
            }
            catch (Pkcs11Exception e)
            {
                throw new Pkcs11KeyException($"Login to token '{options.TokenLabel}' failed: {e.RV}.", e);
            }

            var factory = library.Library.Factories.ObjectAttributeFactory;
            var keys = session.FindAllObjects(Template(factory, CKO.CKO_PRIVATE_KEY, options.KeyLabel, options.KeyId));
            var key = keys.Count switch
            {
                1 => keys[0],
                0 => throw new Pkcs11KeyException($"No private key {Describe(options)} on token '{options.TokenLabel}'."),
                _ => throw new Pkcs11KeyException($"{keys.Count} private keys match {Describe(options)}; give both label and id."),
            };
            var attributes = session.GetAttributeValue(key, [CKA.CKA_KEY_TYPE, CKA.CKA_ID]);
            var keyType = (CKK)attributes[0].GetValueAsUlong();
            var keyId = attributes[1].GetValueAsByteArray() ?? [];

            var chain = options.CertificateChain ?? ReadChainFromToken(session, factory, keyId, options.KeyLabel);
            if (chain.Count == 0) throw new Pkcs11KeyException("The certificate chain is empty.");
            var algorithm = options.Algorithm ?? keyType switch
            {
                CKK.CKK_RSA => SignatureAlgorithm.RsaSha256,
                CKK.CKK_EC => new SignatureAlgorithm(SignatureScheme.Ecdsa, HashAlgorithmName.SHA256),
                _ => throw new Pkcs11KeyException($"Unsupported key type {keyType}."),
            };
            var ecFieldBytes = CheckKeyMatchesCertificate(session, key, keyType, algorithm, chain[0]);
            return new Pkcs11SigningKey(library, session, key, algorithm, chain, ecFieldBytes);
        }
        catch
        {
            session?.Dispose();
            library.Release();
            throw;
        }
    }

    public async Task<byte[]> SignDigestAsync(byte[] digest, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(digest);
        var expected = HashLength(Algorithm.Hash);
        if (digest.Length != expected)
            throw new ArgumentException($"A {Algorithm.Hash.Name} digest has {expected} bytes, not {digest.Length}.", nameof(digest));

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var mechanisms = _library.Library.Factories.MechanismFactory;
            switch (Algorithm.Scheme)
            {
                case SignatureScheme.RsaPkcs1:
                    // CKM_RSA_PKCS pads what it is given: give it DigestInfo (RFC 8017 § 9.2, step 2).
                    var digestInfo = new DigestInfo(new AlgorithmIdentifier(HashOid(Algorithm.Hash), DerNull.Instance), digest)
                        .GetEncoded(Asn1Encodable.Der);
                    return _session.Sign(mechanisms.Create(CKM.CKM_RSA_PKCS), _key, digestInfo);
                case SignatureScheme.RsaPss:
                    var (hashMechanism, mgf) = PssParameters(Algorithm.Hash);
                    var pss = _library.Library.Factories.MechanismParamsFactory.CreateCkRsaPkcsPssParams(
                        ConvertUtils.UInt64FromCKM(hashMechanism), ConvertUtils.UInt64FromCKG(mgf), (ulong)expected);
                    return _session.Sign(mechanisms.Create(CKM.CKM_RSA_PKCS_PSS, pss), _key, digest);
                case SignatureScheme.Ecdsa:
                    // CKM_ECDSA returns r || s, each as long as the curve's order (PKCS#11 v2.40 § 2.3.1);
                    // CMS wants Ecdsa-Sig-Value (RFC 3279 § 2.2.3).
                    var raw = _session.Sign(mechanisms.Create(CKM.CKM_ECDSA), _key, digest);
                    return EcdsaRawToDer(raw, _ecFieldBytes);
                default:
                    throw new NotSupportedException(Algorithm.ToString());
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>r || s as produced by CKM_ECDSA, to DER SEQUENCE { r INTEGER, s INTEGER }.</summary>
    public static byte[] EcdsaRawToDer(byte[] raw, int fieldBytes = 0)
    {
        if (fieldBytes > 0 && raw.Length != 2 * fieldBytes)
            throw new Pkcs11KeyException($"CKM_ECDSA returned {raw.Length} bytes, not r || s.");
        try
        {
            return SignatureValues.EcdsaRawToDer(raw);
        }
        catch (ArgumentException)
        {
            throw new Pkcs11KeyException($"CKM_ECDSA returned {raw.Length} bytes, not r || s.");
        }
    }

    public void Dispose()
    {
        _gate.Wait();
        try
        {
            if (_disposed) return;
            _disposed = true;
            // No C_Logout: login state is per token and other keys' sessions may still use it; closing
            // the last session on the token logs out (PKCS#11 v2.40 § 5.6).
            _session.Dispose();
            _library.Release();
        }
        finally
        {
            _gate.Release();
        }
    }

    private static List<IObjectAttribute> Template(IObjectAttributeFactory factory, CKO objectClass, string? label, byte[]? id)
    {
        var template = new List<IObjectAttribute> { factory.Create(CKA.CKA_CLASS, objectClass) };
        if (label is not null) template.Add(factory.Create(CKA.CKA_LABEL, label));
        if (id is not null) template.Add(factory.Create(CKA.CKA_ID, id));
        return template;
    }

    private static IReadOnlyList<X509Certificate> ReadChainFromToken(ISession session, IObjectAttributeFactory factory,
        byte[] keyId, string? keyLabel)
    {
        var all = session.FindAllObjects([factory.Create(CKA.CKA_CLASS, CKO.CKO_CERTIFICATE)])
            .Select(handle =>
            {
                var values = session.GetAttributeValue(handle, [CKA.CKA_VALUE, CKA.CKA_ID, CKA.CKA_LABEL]);
                return (Cert: new X509Certificate(values[0].GetValueAsByteArray()),
                    Id: values[1].GetValueAsByteArray() ?? [], Label: values[2].GetValueAsString());
            })
            .ToList();
        var signer = all.FirstOrDefault(c => keyId.Length > 0 && c.Id.AsSpan().SequenceEqual(keyId)).Cert
                     ?? all.FirstOrDefault(c => keyLabel is not null && c.Label == keyLabel).Cert
                     ?? throw new Pkcs11KeyException("No certificate on the token has the key's id or label; pass the chain in the options.");

        var chain = new List<X509Certificate> { signer };
        while (!chain[^1].SubjectDN.Equivalent(chain[^1].IssuerDN) && chain.Count < 10)
        {
            var issuer = all.Select(c => c.Cert).FirstOrDefault(c => c.SubjectDN.Equivalent(chain[^1].IssuerDN) && !chain.Contains(c));
            if (issuer is null) break;
            chain.Add(issuer);
        }
        return chain;
    }

    /// <summary>Refuses a chain whose first certificate belongs to another key (RSA: same modulus) and an
    /// algorithm that does not fit the key. Returns the EC field size in bytes (0 for RSA).</summary>
    private static int CheckKeyMatchesCertificate(ISession session, IObjectHandle key, CKK keyType, SignatureAlgorithm algorithm,
        X509Certificate signer)
    {
        var publicKey = signer.GetPublicKey();
        switch (keyType)
        {
            case CKK.CKK_RSA when algorithm.Scheme is SignatureScheme.RsaPkcs1 or SignatureScheme.RsaPss:
                if (publicKey is not RsaKeyParameters rsa) throw new Pkcs11KeyException("The signer certificate is not an RSA certificate.");
                var modulus = session.GetAttributeValue(key, [CKA.CKA_MODULUS])[0].GetValueAsByteArray();
                if (modulus is { Length: > 0 } && !new BigInteger(1, modulus).Equals(rsa.Modulus))
                    throw new Pkcs11KeyException("The signer certificate does not belong to the token's private key.");
                return 0;
            case CKK.CKK_EC when algorithm.Scheme is SignatureScheme.Ecdsa:
                if (publicKey is not ECPublicKeyParameters ec) throw new Pkcs11KeyException("The signer certificate is not an EC certificate.");
                return (ec.Parameters.N.BitLength + 7) / 8;
            default:
                throw new Pkcs11KeyException($"Algorithm {algorithm} does not fit a {keyType} key.");
        }
    }

    private static string Describe(Pkcs11KeyOptions o) =>
        string.Join(" and ", new[] { o.KeyLabel is null ? null : $"labelled '{o.KeyLabel}'", o.KeyId is null ? null : $"with id {Convert.ToHexString(o.KeyId)}" }
            .Where(x => x is not null));

    private static int HashLength(HashAlgorithmName hash) =>
        hash == HashAlgorithmName.SHA256 ? 32 : hash == HashAlgorithmName.SHA384 ? 48 : hash == HashAlgorithmName.SHA512 ? 64
            : throw new NotSupportedException($"Digest {hash.Name} is not supported for signing.");

    private static DerObjectIdentifier HashOid(HashAlgorithmName hash) =>
        hash == HashAlgorithmName.SHA256 ? NistObjectIdentifiers.IdSha256 : hash == HashAlgorithmName.SHA384 ? NistObjectIdentifiers.IdSha384
            : hash == HashAlgorithmName.SHA512 ? NistObjectIdentifiers.IdSha512 : throw new NotSupportedException(hash.Name);

    private static (CKM Hash, CKG Mgf) PssParameters(HashAlgorithmName hash) =>
        hash == HashAlgorithmName.SHA256 ? (CKM.CKM_SHA256, CKG.CKG_MGF1_SHA256)
        : hash == HashAlgorithmName.SHA384 ? (CKM.CKM_SHA384, CKG.CKG_MGF1_SHA384)
        : hash == HashAlgorithmName.SHA512 ? (CKM.CKM_SHA512, CKG.CKG_MGF1_SHA512)
        : throw new NotSupportedException(hash.Name);

    /// <summary>One loaded and initialised module per path, shared by every key on it: a second
    /// C_Initialize in the same process fails, and C_Finalize would cut the other keys' sessions.</summary>
    private sealed class SharedLibrary
    {
        private static readonly Dictionary<string, SharedLibrary> Loaded = new(StringComparer.Ordinal);
        private readonly string _path;
        private int _references;

        private SharedLibrary(string path, IPkcs11Library library)
        {
            _path = path;
            Library = library;
        }

        public IPkcs11Library Library { get; }

        public static SharedLibrary Acquire(string path)
        {
            lock (Loaded)
            {
                if (!Loaded.TryGetValue(path, out var shared))
                {
                    if (!File.Exists(path)) throw new Pkcs11KeyException($"PKCS#11 module {path} does not exist.");
                    var factories = new Pkcs11InteropFactories();
                    shared = new SharedLibrary(path, factories.Pkcs11LibraryFactory.LoadPkcs11Library(factories, path, AppType.MultiThreaded));
                    Loaded[path] = shared;
                }
                shared._references++;
                return shared;
            }
        }

        public void Release()
        {
            lock (Loaded)
            {
                if (--_references > 0) return;
                Loaded.Remove(_path);
                Library.Dispose();
            }
        }
    }

    /// <summary>Pkcs11Interop loads modules through <c>dlopen</c> from "libdl"; Debian 12 ships only
    /// <c>libdl.so.2</c> (no unversioned name without libc6-dev), so map it once per process.</summary>
    private static class NativeResolver
    {
        private static int _installed;

        public static void Install()
        {
            if (!OperatingSystem.IsLinux() || Interlocked.Exchange(ref _installed, 1) == 1) return;
            try
            {
                NativeLibrary.SetDllImportResolver(typeof(Pkcs11InteropFactories).Assembly, Resolve);
            }
            catch (InvalidOperationException)
            {
                // Someone else already set a resolver for Pkcs11Interop; theirs wins.
            }
        }

        private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
        {
            if (name is "libdl" or "libdl.so" && NativeLibrary.TryLoad("libdl.so.2", out var handle)) return handle;
            return IntPtr.Zero; // default probing
        }
    }
}

/// <summary>The PKCS#11 key could not be opened or used: missing token or key, failed login, a
/// certificate that is not the key's.</summary>
public sealed class Pkcs11KeyException : Exception
{
    public Pkcs11KeyException(string message) : base(message) { }

    public Pkcs11KeyException(string message, Exception inner) : base(message, inner) { }
}
