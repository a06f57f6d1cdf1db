using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Certification.Api.Infrastructure;
using Certification.Signing.Pades;
using Certification.Signing.Pdf;
using Org.BouncyCastle.Cms;
using Org.BouncyCastle.Tsp;
using Org.BouncyCastle.X509;

namespace Certification.Api.Features.Verifications;

/// <summary>
/// TEMPORARY verifier until the [validation] branch's PdfSignatureValidator is merged. It checks what it can
/// check honestly: each signature's digest and CMS signature value, the chain to the service's trust anchors,
/// the signature timestamp's presence, and the byte coverage. It does not analyse what changed after a
/// signature, so a signature that does not cover the whole file is at best INDETERMINATE, unless the bytes are
/// exactly a copy this registry issued (then nothing was changed after issuance, by construction).
/// </summary>
public sealed class InterimDocumentVerifier(TrustServices trust) : IDocumentVerifier
{
    public Task<JsonObject> VerifyAsync(ReadOnlyMemory<byte> pdf, bool issuedAsIs, CancellationToken ct = default)
    {
        PdfFile file;
        try
        {
            file = PdfFile.Open(pdf);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Task.FromResult(new JsonObject { ["indication"] = "INDETERMINATE", ["subIndication"] = "FORMAT_FAILURE", ["readable"] = false,
                ["error"] = "not a readable PDF", ["signatures"] = new JsonArray(), ["verifier"] = "interim" });
        }
        IReadOnlyList<EmbeddedSignature> found;
        try
        {
            found = EmbeddedSignatures.Find(file);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            found = [];
        }
        var hasDss = file.Catalog.ContainsKey("DSS");
        var signatures = new JsonArray();
        var worst = found.Count == 0 ? "NO_SIGNATURE_FOUND" : "TOTAL_PASSED";
        for (var i = 0; i < found.Count; i++)
        {
            var report = Judge(found[i], pdf.Span, issuedAsIs, hasDss, laterDocumentTimestamp: found.Skip(i + 1).Any(s => s.IsDocumentTimestamp));
            worst = Worse(worst, (string)report["indication"]!);
            signatures.Add(report);
        }
        return Task.FromResult(new JsonObject
        {
            ["indication"] = worst,
            ["validationTime"] = DateTimeOffset.UtcNow.ToString("O"),
            ["revisions"] = file.Revisions.Count,
            ["signatures"] = signatures,
            ["verifier"] = "interim",
        });
    }

    private JsonObject Judge(EmbeddedSignature s, ReadOnlySpan<byte> pdf, bool issuedAsIs, bool hasDss, bool laterDocumentTimestamp)
    {
        var checks = new JsonArray();
        string indication = "TOTAL_PASSED", subIndication = "";
        void Fail(string ind, string sub) { if (Rank(ind) > Rank(indication)) { indication = ind; subIndication = sub; } }
        void Check(string name, bool passed, string message, string failIndication, string failSub)
        {
            checks.Add(new JsonObject { ["name"] = name, ["result"] = passed ? "PASSED" : failIndication == "TOTAL_FAILED" ? "FAILED" : "INDETERMINATE", ["message"] = message });
            if (!passed) Fail(failIndication, failSub);
        }

        var range = s.ByteRange;
        var wellFormed = range is { Length: 4 } r && r[0] == 0 && r[1] > 0 && r[2] > r[1] && r[3] >= 0 && r[2] + r[3] <= pdf.Length;
        Check("byteRange", wellFormed, wellFormed ? "the byte range is well formed" : "the byte range is malformed", "TOTAL_FAILED", "FORMAT_FAILURE");
        var coverage = wellFormed && range![2] + range[3] == pdf.Length ? "ENTIRE_FILE" : "ENTIRE_REVISION";
        JsonObject? signer = null;
        string? timestampTime = null, claimed = (s.Dictionary["M"] as PdfString)?.ToText();
        var trusted = false;
        if (wellFormed)
        {
            var signed = new byte[range![1] + range[3]];
            pdf.Slice((int)range[0], (int)range[1]).CopyTo(signed);
            pdf.Slice((int)range[2], (int)range[3]).CopyTo(signed.AsSpan((int)range[1]));
            try
            {
                if (s.IsDocumentTimestamp)
                {
                    var token = new TimeStampToken(new CmsSignedData(s.ContainerBytes));
                    var imprint = token.TimeStampInfo.GetMessageImprintDigest();
                    var digest = HashFor(token.TimeStampInfo.MessageImprintAlgOid, signed);
                    Check("messageImprint", digest is not null && digest.AsSpan().SequenceEqual(imprint), "the timestamp covers these bytes", "TOTAL_FAILED", "HASH_FAILURE");
                    var tsa = token.GetCertificates().EnumerateMatches(token.SignerID).FirstOrDefault();
                    var valid = tsa is not null && Try(() => token.Validate(tsa));
                    Check("timestampSignature", valid, "the timestamp token's signature verifies", "TOTAL_FAILED", "SIG_CRYPTO_FAILURE");
                    timestampTime = token.TimeStampInfo.GenTime.ToString("O");
                    trusted = tsa is not null && Chains(tsa, token.GetCertificates().EnumerateMatches(null).ToList());
                    signer = Identity(tsa);
                }
                else
                {
                    var cms = new CmsSignedData(new CmsProcessableByteArray(signed), s.ContainerBytes);
                    var info = cms.GetSignerInfos().GetSigners().First();
                    var certs = cms.GetCertificates().EnumerateMatches(null).ToList();
                    var cert = cms.GetCertificates().EnumerateMatches(info.SignerID).FirstOrDefault();
                    var verified = cert is not null && Try(() => info.Verify(cert));
                    Check("signatureIntegrity", verified, verified ? "the signed bytes are intact and the signature value verifies" : "digest or signature value does not verify",
                        "TOTAL_FAILED", "HASH_FAILURE");
                    trusted = cert is not null && Chains(cert, certs);
                    signer = Identity(cert);
                    var tsAttr = info.UnsignedAttributes?[Org.BouncyCastle.Asn1.Pkcs.PkcsObjectIdentifiers.IdAASignatureTimeStampToken];
                    if (tsAttr is not null)
                    {
                        var token = new TimeStampToken(new CmsSignedData(tsAttr.AttrValues[0].GetEncoded()));
                        timestampTime = token.TimeStampInfo.GenTime.ToString("O");
                        var imprintOk = HashFor(token.TimeStampInfo.MessageImprintAlgOid, info.GetSignature())?.AsSpan().SequenceEqual(token.TimeStampInfo.GetMessageImprintDigest()) == true;
                        Check("signatureTimestamp", imprintOk, "the signature timestamp covers the signature value", "TOTAL_FAILED", "HASH_FAILURE");
                    }
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Check("cms", false, "the signature container cannot be read", "TOTAL_FAILED", "FORMAT_FAILURE");
            }
        }
        Check("trust", trusted, trusted ? "the certificate chains to a trusted anchor" : "no chain to a trusted anchor", "INDETERMINATE", "NO_CERTIFICATE_CHAIN_FOUND");
        if (coverage != "ENTIRE_FILE")
            Check("modifications", issuedAsIs, issuedAsIs
                ? "later revisions are the ones the registry issued (validation data, seal)"
                : "later revisions were not analysed by this interim verifier", "INDETERMINATE", "TRY_LATER");

        var level = s.IsDocumentTimestamp ? "NONE" : timestampTime is null ? "PAdES-BASELINE-B" : !hasDss ? "PAdES-BASELINE-T" : laterDocumentTimestamp ? "PAdES-BASELINE-LTA" : "PAdES-BASELINE-LT";
        var who = signer?["subject"]?.ToString() ?? "?";
        return new JsonObject
        {
            ["fieldName"] = s.FieldName,
            ["type"] = s.IsDocumentTimestamp ? "documentTimestamp" : "signature",
            ["subFilter"] = s.SubFilter,
            ["level"] = level,
            ["signer"] = signer,
            ["indication"] = indication,
            ["subIndication"] = subIndication.Length == 0 ? null : subIndication,
            ["coverage"] = coverage,
            ["modificationsAfterSigning"] = coverage == "ENTIRE_FILE" ? "NONE" : issuedAsIs ? "SIGNATURES_AND_TIMESTAMPS" : "OTHER",
            ["claimedSigningTime"] = claimed,
            ["timestampTime"] = timestampTime,
            ["checks"] = checks,
            ["summary"] = new JsonObject
            {
                ["vi"] = indication == "TOTAL_PASSED" ? $"Chữ ký của {who} hợp lệ." : indication == "TOTAL_FAILED" ? $"Chữ ký của {who} KHÔNG hợp lệ." : $"Chưa xác định được chữ ký của {who}.",
                ["en"] = indication == "TOTAL_PASSED" ? $"The signature of {who} is valid." : indication == "TOTAL_FAILED" ? $"The signature of {who} is NOT valid." : $"The signature of {who} cannot be decided.",
            },
        };
    }

    private bool Chains(X509Certificate leaf, IReadOnlyList<X509Certificate> pool)
    {
        var current = leaf;
        for (var depth = 0; depth < 8; depth++)
        {
            if (trust.Anchors.Any(a => a.Equals(current))) return true;
            var anchor = trust.Anchors.FirstOrDefault(a => a.SubjectDN.Equivalent(current.IssuerDN) && Try(() => current.Verify(a.GetPublicKey())));
            if (anchor is not null) return true;
            var issuer = pool.FirstOrDefault(c => !c.Equals(current) && c.SubjectDN.Equivalent(current.IssuerDN) && Try(() => current.Verify(c.GetPublicKey())));
            if (issuer is null) return false;
            current = issuer;
        }
        return false;
    }

    private static JsonObject? Identity(X509Certificate? c) => c is null ? null : new JsonObject
    {
        ["subject"] = c.SubjectDN.ToString(), ["issuer"] = c.IssuerDN.ToString(), ["serialNumber"] = c.SerialNumber.ToString(16),
    };

    private static byte[]? HashFor(string oid, byte[] data) => oid switch
    {
        "2.16.840.1.101.3.4.2.1" => SHA256.HashData(data),
        "2.16.840.1.101.3.4.2.2" => SHA384.HashData(data),
        "2.16.840.1.101.3.4.2.3" => SHA512.HashData(data),
        _ => null,
    };

    private static bool Try(Func<bool> f) { try { return f(); } catch (Exception e) when (e is not OutOfMemoryException) { return false; } }
    private static bool Try(Action a) { try { a(); return true; } catch (Exception e) when (e is not OutOfMemoryException) { return false; } }

    private static int Rank(string indication) => indication switch { "TOTAL_PASSED" => 0, "NO_SIGNATURE_FOUND" => 1, "INDETERMINATE" => 2, _ => 3 };

    private static string Worse(string a, string b) => Rank(b) > Rank(a) ? b : a;
}
