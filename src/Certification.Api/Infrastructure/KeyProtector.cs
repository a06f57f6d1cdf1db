using System.Security.Cryptography;
using System.Text;

namespace Certification.Api.Infrastructure;

/// <summary>AES-256-GCM envelope for secrets at rest (PKCS#12 files of signing identities, pending
/// access codes): <c>version(1) | nonce(12) | tag(16) | ciphertext</c>, with the purpose as associated data
/// so a blob encrypted for one purpose cannot be replayed as another.</summary>
public sealed class KeyProtector
{
    private readonly byte[] _key;

    public KeyProtector(byte[] key)
    {
        if (key.Length != 32) throw new ArgumentException("The key encryption key must be 32 bytes (AES-256).");
        _key = key;
    }

    public byte[] Protect(ReadOnlySpan<byte> plaintext, string purpose)
    {
        var output = new byte[1 + 12 + 16 + plaintext.Length];
        output[0] = 1;
        var nonce = output.AsSpan(1, 12);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, 16);
        aes.Encrypt(nonce, plaintext, output.AsSpan(29), output.AsSpan(13, 16), Encoding.UTF8.GetBytes(purpose));
        return output;
    }

    /// <summary>The key's check value (<see cref="NodeKeys.CheckValue"/>), to compare keys across nodes without revealing them.</summary>
    public string CheckValue() => NodeKeys.CheckValue(_key);

    public byte[] Unprotect(ReadOnlySpan<byte> envelope, string purpose)
    {
        if (envelope.Length < 29 || envelope[0] != 1) throw new CryptographicException("Not a protected secret.");
        var plaintext = new byte[envelope.Length - 29];
        using var aes = new AesGcm(_key, 16);
        aes.Decrypt(envelope.Slice(1, 12), envelope[29..], envelope.Slice(13, 16), plaintext, Encoding.UTF8.GetBytes(purpose));
        return plaintext;
    }
}
