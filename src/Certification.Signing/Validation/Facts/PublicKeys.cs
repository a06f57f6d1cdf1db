using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.X509;

namespace Certification.Signing.Validation.Facts;

/// <summary>The kind and size of a certificate's public key, read from its SubjectPublicKeyInfo.
/// BouncyCastle's <c>X509Certificate.GetPublicKey()</c> builds RsaKeyParameters, whose constructor
/// runs Miller-Rabin rounds on the modulus (tens of milliseconds per 2048-bit key in managed code), so the
/// validator never calls it on the hot path.</summary>
public static class PublicKeys
{
    public enum Kind { Rsa, Ec, Dsa, Other }

    /// <summary>RSA: modulus bits; EC: field size of a named curve (0 when the curve is unknown or explicit).</summary>
    public static (Kind Kind, int Bits) Describe(X509Certificate certificate)
    {
        var info = certificate.CertificateStructure.SubjectPublicKeyInfo;
        var oid = info.Algorithm.Algorithm;
        if (oid.Equals(PkcsObjectIdentifiers.RsaEncryption) || oid.Equals(PkcsObjectIdentifiers.IdRsassaPss))
            return (Kind.Rsa, RsaPublicKeyStructure.GetInstance(info.ParsePublicKey()).Modulus.BitLength);
        if (oid.Equals(X9ObjectIdentifiers.IdECPublicKey))
        {
            var parameters = X962Parameters.GetInstance(info.Algorithm.Parameters);
            if (parameters.IsNamedCurve && ECNamedCurveTable.GetByOid((DerObjectIdentifier)parameters.Parameters) is { } curve)
                return (Kind.Ec, curve.Curve.FieldSize);
            if (!parameters.IsNamedCurve && !parameters.IsImplicitlyCA)
                return (Kind.Ec, X9ECParameters.GetInstance(parameters.Parameters).Curve.FieldSize);
            return (Kind.Ec, 0);
        }
        if (oid.Equals(X9ObjectIdentifiers.IdDsa)) return (Kind.Dsa, 0);
        return (Kind.Other, 0);
    }

    /// <summary>Same key: the SubjectPublicKeyInfo encodings are equal.</summary>
    public static bool SameKey(X509Certificate a, X509Certificate b) =>
        a.CertificateStructure.SubjectPublicKeyInfo.GetDerEncoded().AsSpan()
            .SequenceEqual(b.CertificateStructure.SubjectPublicKeyInfo.GetDerEncoded());
}
