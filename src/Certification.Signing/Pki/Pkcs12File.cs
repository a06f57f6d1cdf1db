using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Asn1.Nist;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace Certification.Signing.Pki;

/// <summary>
/// PKCS#12 (RFC 7292) reading and writing. Written with PBES2 / AES-256-CBC / HMAC-SHA-256 for both the
/// key and the certificate bags, so OpenSSL 3 reads the files without its legacy provider and .NET's
/// <see cref="X509CertificateLoader.LoadPkcs12"/> reads them too. Each entry carries a friendly name.
/// </summary>
internal static class Pkcs12File
{
    private const int Iterations = 2048;

    private static readonly DerObjectIdentifier Data = new("1.2.840.113549.1.7.1");
    private static readonly DerObjectIdentifier EncryptedData = new("1.2.840.113549.1.7.6");
    private static readonly DerObjectIdentifier ShroudedKeyBag = new("1.2.840.113549.1.12.10.1.2");
    private static readonly DerObjectIdentifier CertBag = new("1.2.840.113549.1.12.10.1.3");
    private static readonly DerObjectIdentifier X509CertificateType = new("1.2.840.113549.1.9.22.1");
    private static readonly DerObjectIdentifier FriendlyName = new("1.2.840.113549.1.9.20");
    private static readonly DerObjectIdentifier LocalKeyId = new("1.2.840.113549.1.9.21");

    /// <summary>
    /// Writes a PFX (RFC 7292 § 4): a shrouded key bag (PBES2, PBKDF2-HMAC-SHA-256, AES-256-CBC), the
    /// certificates in a PBES2-encrypted safe, friendlyName and localKeyId attributes, and an HMAC-SHA-256
    /// MAC. Written by hand rather than with BouncyCastle's Pkcs12Store because that store derives the PBES2
    /// key from the low byte of each password character, so non-ASCII passwords (Vietnamese ones) would not
    /// open in OpenSSL or .NET, which use the UTF-8 bytes (RFC 8018 § 3 leaves the encoding open).
    /// </summary>
    public static byte[] Write(string friendlyName, AsymmetricAlgorithm key, IReadOnlyList<BcCertificate> chain, string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (chain.Count == 0)
            throw new ArgumentException("The chain is empty.", nameof(chain));
        var localKeyId = new DerOctetString(SHA1.HashData(chain[0].GetEncoded()));

        var encryptedKey = key.ExportEncryptedPkcs8PrivateKey(password,
            new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, Iterations));
        var keyBag = Bag(ShroudedKeyBag, Asn1Object.FromByteArray(encryptedKey), friendlyName, localKeyId);
        var certificateBags = chain.Select((c, i) => Bag(CertBag,
            new DerSequence(X509CertificateType, new DerTaggedObject(true, 0, new DerOctetString(c.GetEncoded()))),
            i == 0 ? friendlyName : c.SubjectDN.GetValueList(X509Name.CN).FirstOrDefault() ?? c.SubjectDN.ToString(),
            i == 0 ? localKeyId : null)).ToArray();

        var keySafe = new DerSequence(Data, new DerTaggedObject(true, 0, new DerOctetString(new DerSequence(keyBag).GetEncoded(Asn1Encodable.Der))));
        var certificateSafe = EncryptSafe(new DerSequence(certificateBags).GetEncoded(Asn1Encodable.Der), password);
        var authenticatedSafe = new DerSequence(certificateSafe, keySafe).GetEncoded(Asn1Encodable.Der);

        var macSalt = RandomNumberGenerator.GetBytes(16);
        var macKey = Pkcs12MacKey(password, macSalt);
        var mac = HMACSHA256.HashData(macKey, authenticatedSafe);
        var macData = new DerSequence(
            new DerSequence(new DerSequence(NistObjectIdentifiers.IdSha256, DerNull.Instance), new DerOctetString(mac)),
            new DerOctetString(macSalt),
            DerInteger.ValueOf(Iterations));
        var pfx = new DerSequence(
            DerInteger.ValueOf(3),
            new DerSequence(Data, new DerTaggedObject(true, 0, new DerOctetString(authenticatedSafe))),
            macData);
        return pfx.GetEncoded(Asn1Encodable.Der);
    }

    private static DerSequence Bag(DerObjectIdentifier type, Asn1Encodable value, string friendlyName, DerOctetString? localKeyId)
    {
        var attributes = new List<Asn1Encodable>
        {
            new DerSequence(FriendlyName, new DerSet(new DerBmpString(friendlyName))),
        };
        if (localKeyId is not null)
            attributes.Add(new DerSequence(LocalKeyId, new DerSet(localKeyId)));
        return new DerSequence(type, new DerTaggedObject(true, 0, value), new DerSet(attributes.ToArray()));
    }

    /// <summary>ContentInfo of type encryptedData (RFC 5652 § 8) with PBES2 (RFC 8018 § 6.2).</summary>
    private static DerSequence EncryptSafe(byte[] content, string password)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var iv = RandomNumberGenerator.GetBytes(16);
        var aesKey = Rfc2898DeriveBytes.Pbkdf2(System.Text.Encoding.UTF8.GetBytes(password), salt, Iterations, HashAlgorithmName.SHA256, 32);
        using var aes = Aes.Create();
        aes.Key = aesKey;
        var encrypted = aes.EncryptCbc(content, iv);
        var pbes2 = new DerSequence(
            PkcsObjectIdentifiers.IdPbeS2,
            new DerSequence(
                new DerSequence(PkcsObjectIdentifiers.IdPbkdf2, new DerSequence(
                    new DerOctetString(salt),
                    DerInteger.ValueOf(Iterations),
                    new DerSequence(PkcsObjectIdentifiers.IdHmacWithSha256, DerNull.Instance))),
                new DerSequence(NistObjectIdentifiers.IdAes256Cbc, new DerOctetString(iv))));
        var encryptedContentInfo = new DerSequence(Data, pbes2, new DerTaggedObject(false, 0, new DerOctetString(encrypted)));
        return new DerSequence(EncryptedData, new DerTaggedObject(true, 0, new DerSequence(DerInteger.Zero, encryptedContentInfo)));
    }

    /// <summary>The MAC key: RFC 7292 Appendix B.2 KDF, ID 3, password as a BMPString with two zero bytes.</summary>
    private static byte[] Pkcs12MacKey(string password, byte[] salt)
    {
        var generator = new Pkcs12ParametersGenerator(new Sha256Digest());
        generator.Init(PbeParametersGenerator.Pkcs12PasswordToBytes(password.ToCharArray()), salt, Iterations);
        return ((KeyParameter)generator.GenerateDerivedMacParameters(256)).GetKey();
    }

    /// <summary>Reads the one key in the file and its certificate chain (key's certificate first).</summary>
    /// <exception cref="CryptographicException">Wrong password, corrupt file, or no (or several) private keys.</exception>
    public static (AsymmetricAlgorithm Key, IReadOnlyList<BcCertificate> Chain) Read(byte[] pkcs12, string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        X509Certificate2Collection collection;
        try
        {
            collection = X509CertificateLoader.LoadPkcs12Collection(pkcs12, password, X509KeyStorageFlags.EphemeralKeySet);
        }
        catch (CryptographicException e)
        {
            // The .NET message does not include the password; keep it that way.
            throw new CryptographicException("The PKCS#12 file cannot be opened: wrong password or damaged file.", e);
        }

        try
        {
            var withKey = collection.Where(c => c.HasPrivateKey).ToList();
            if (withKey.Count != 1)
                throw new CryptographicException($"The PKCS#12 file must hold exactly one private key; it holds {withKey.Count}.");
            var leaf = withKey[0];
            AsymmetricAlgorithm key = (AsymmetricAlgorithm?)leaf.GetRSAPrivateKey() ?? leaf.GetECDsaPrivateKey()
                ?? throw new CryptographicException($"The key of {leaf.Subject} is neither RSA nor ECDSA.");

            var all = collection.Select(c => new BcCertificate(c.RawData)).ToList();
            var chain = new List<BcCertificate> { new(leaf.RawData) };
            while (true)
            {
                var current = chain[^1];
                if (current.IssuerDN.Equivalent(current.SubjectDN))
                    break;
                var issuer = all.FirstOrDefault(c => c.SubjectDN.Equivalent(current.IssuerDN) && !chain.Contains(c) && SignedBy(current, c));
                if (issuer is null)
                    break;
                chain.Add(issuer);
            }
            return (key, chain);
        }
        finally
        {
            foreach (var c in collection)
                c.Dispose();
        }
    }

    private static bool SignedBy(BcCertificate subject, BcCertificate issuer)
    {
        try
        {
            return subject.IsSignatureValid(issuer.GetPublicKey());
        }
        catch (Exception)
        {
            return false;
        }
    }
}
