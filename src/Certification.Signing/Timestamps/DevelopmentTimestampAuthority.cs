using Certification.Signing.Cms;
using System.Security.Cryptography;
using Certification.Signing.Pki;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Cmp;
using Org.BouncyCastle.Asn1.Nist;
using Org.BouncyCastle.Cms;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Tsp;
using Org.BouncyCastle.Utilities.Collections;
using Org.BouncyCastle.X509;

namespace Certification.Signing.Timestamps;

/// <summary>
/// An in-process RFC 3161 time-stamping authority for development and tests; also the engine behind the
/// development server's <c>POST /tsa</c> (<see cref="Respond"/>).
/// </summary>
/// <remarks>
/// Tokens carry the TSA certificate and its intermediates (when certReq is set, RFC 3161 § 2.4.1), an ESS
/// signing-certificate-v2 attribute with a SHA-256 certificate hash (RFC 5816), a DEVELOPMENT policy OID and
/// a random 127-bit serial number (unique without coordination across restarts). BouncyCastle builds the
/// token; .NET (OpenSSL) computes the RSA signature, which keeps a token around a millisecond.
/// </remarks>
public sealed class DevelopmentTimestampAuthority : ITimestampAuthority
{
    /// <summary>The TSA policy of development time-stamps (a UUID OID, ITU-T X.667; never a production policy).</summary>
    public const string PolicyOid = "2.25.208252079064815076311336877448722870638";

    private readonly TimeStampTokenGenerator _generator;
    private readonly TimeProvider _clock;
    private readonly object _gate = new();

    /// <param name="tsa">The TSA credential: its certificate must have the critical EKU timeStamping.</param>
    public DevelopmentTimestampAuthority(IssuedCredential tsa, TimeProvider? clock = null)
        : this(tsa.PrivateKey, tsa.Chain, clock)
    {
    }

    /// <param name="chain">TSA certificate first, then its issuers; the root is left out of tokens.</param>
    public DevelopmentTimestampAuthority(AsymmetricAlgorithm privateKey, IReadOnlyList<X509Certificate> chain, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(privateKey);
        ArgumentNullException.ThrowIfNull(chain);
        if (chain.Count == 0)
            throw new ArgumentException("The TSA certificate chain is empty.", nameof(chain));
        _clock = clock ?? TimeProvider.System;
        Certificate = chain[0];
        CertificateChain = chain;
        var signerInfo = new SignerInfoGeneratorBuilder().Build(new DotNetSignatureFactory(privateKey), Certificate);
        _generator = new TimeStampTokenGenerator(signerInfo, Asn1DigestFactory.Get(NistObjectIdentifiers.IdSha256),
            new DerObjectIdentifier(PolicyOid), isIssuerSerialIncluded: true);
        _generator.SetAccuracySeconds(1);
        var embedded = chain.Where(c => !c.IssuerDN.Equivalent(c.SubjectDN)).ToList();
        _generator.SetCertificates(CollectionUtilities.CreateStore(embedded));
    }

    public X509Certificate Certificate { get; }

    public IReadOnlyList<X509Certificate> CertificateChain { get; }

    public Task<byte[]> GetTimestampTokenAsync(byte[] digest, HashAlgorithmName hash, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(digest);
        ct.ThrowIfCancellationRequested();
        if (digest.Length != CmsOids.DigestLength(hash))
            throw new ArgumentException($"A {hash.Name} digest is {CmsOids.DigestLength(hash)} bytes long, not {digest.Length}.", nameof(digest));
        var requestGenerator = new TimeStampRequestGenerator();
        requestGenerator.SetCertReq(true);
        var request = requestGenerator.Generate(CmsOids.DigestOid(hash), digest);
        TimeStampToken token;
        lock (_gate)
            token = _generator.Generate(request, DevelopmentPki.NewSerialNumber(), _clock.GetUtcNow().UtcDateTime);
        return Task.FromResult(token.GetEncoded());
    }

    /// <summary>Answers a DER TimeStampReq with a DER TimeStampResp (RFC 3161 § 2.4.2); malformed or
    /// unacceptable requests get a rejection response, never an exception.</summary>
    public byte[] Respond(byte[] timeStampRequestDer)
    {
        ArgumentNullException.ThrowIfNull(timeStampRequestDer);
        // Only our own policy is accepted: BouncyCastle would otherwise stamp the requested policy into the token.
        var responder = new TimeStampResponseGenerator(_generator, TspAlgorithms.Allowed, [PolicyOid]);
        TimeStampRequest request;
        try
        {
            request = new TimeStampRequest(timeStampRequestDer);
        }
        catch (Exception e) when (e is IOException or ArgumentException or InvalidCastException or InvalidOperationException or TspException)
        {
            return responder.GenerateFailResponse(PkiStatus.Rejection, PkiFailureInfo.BadDataFormat,
                "The request is not a DER TimeStampReq.").GetEncoded();
        }
        lock (_gate)
            return responder.Generate(request, DevelopmentPki.NewSerialNumber(), _clock.GetUtcNow().UtcDateTime).GetEncoded();
    }
}
