using System.Security.Cryptography;

namespace Certification.Signing.Timestamps;

/// <summary>A time-stamping authority (RFC 3161), remote or in-process.</summary>
public interface ITimestampAuthority
{
    /// <summary>Returns the DER of a TimeStampToken (a CMS ContentInfo) whose imprint is <paramref name="digest"/>.</summary>
    Task<byte[]> GetTimestampTokenAsync(byte[] digest, HashAlgorithmName hash, CancellationToken ct = default);
}
