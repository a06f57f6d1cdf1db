using System.Security.Cryptography;

namespace Certification.Signing.Timestamps;

/// <summary>An RFC 3161 time-stamping authority.</summary>
public interface ITimestampAuthority
{
    /// <summary>
    /// Time-stamps <paramref name="digest"/> (the message imprint, RFC 3161 § 2.4.1) and returns the DER of the
    /// TimeStampToken, a CMS ContentInfo (RFC 3161 § 2.4.2), ready to embed as the unsigned attribute
    /// id-aa-signatureTimeStampToken (RFC 3161 Appendix A) or as the /Contents of a PDF /DocTimeStamp.
    /// </summary>
    /// <exception cref="TimestampException">The authority refused, failed, or answered something invalid.</exception>
    Task<byte[]> GetTimestampTokenAsync(byte[] digest, HashAlgorithmName hash, CancellationToken ct = default);
}

/// <summary>A time-stamp could not be obtained; the message says from where and why.</summary>
public sealed class TimestampException : Exception
{
    public TimestampException(string message) : base(message) { }

    public TimestampException(string message, Exception inner) : base(message, inner) { }
}
