using Xunit;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Certification.Signing.Pki;
using Certification.Signing.Revocation;
using Certification.TestSupport;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Ocsp;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.X509.Extension;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace Certification.Signing.Tests.Pki;

public sealed class DevelopmentPkiTests
{
    private static TestPki Shared => TestPki.Shared;

    [Fact]
    public void Roots_pem_holds_only_the_self_signed_development_root()
    {
        var text = File.ReadAllText(Shared.RootsPem);
        Assert.Equal(1, CountOccurrences(text, "BEGIN CERTIFICATE"));
        var root = Shared.Pki.Root.Certificate;
        Assert.Equal(root.SubjectDN, root.IssuerDN);
        Assert.Contains("DEVELOPMENT Certification Root CA", root.SubjectDN.ToString());
        var output = OpenSsl.Ok("x509", "-in", Shared.RootsPem, "-noout", "-subject", "-nameopt", "utf8,sep_comma_plus");
        Assert.Contains("CN=DEVELOPMENT Certification Root CA", output);
        Assert.Equal(3072, ((Org.BouncyCastle.Crypto.Parameters.RsaKeyParameters)root.GetPublicKey()).Modulus.BitLength);
    }

    [Theory]
    [InlineData("officer.p12", "Nguyễn Văn An (DEVELOPMENT)", "DEVELOPMENT Government CA")]
    [InlineData("office.p12", "UBND phường Demo (DEVELOPMENT)", "DEVELOPMENT Government CA")]
    [InlineData("notary.p12", "Trần Thị Bình (DEVELOPMENT)", "DEVELOPMENT Public CA")]
    public void Pkcs12_files_open_in_openssl_and_dotnet_and_chain_to_roots_pem(string file, string commonName, string issuer)
    {
        using var temp = new TempDirectory();
        var path = Shared.Path(file);

        // openssl 3 reads it without -legacy; it holds the key, three certificates and friendly names.
        var info = OpenSsl.Ok("pkcs12", "-in", path, "-passin", "env:P12_PASSWORD", "-nodes", "-info");
        Assert.Equal(3, CountOccurrences(info, "BEGIN CERTIFICATE"));
        Assert.Contains("PRIVATE KEY", info);
        Assert.Contains($"friendlyName: {Path.GetFileNameWithoutExtension(file)}", info);
        Assert.Contains("PBES2", info);

        // .NET reads it and finds the key.
        using var certificate = X509CertificateLoader.LoadPkcs12FromFile(path, TestPki.Password);
        Assert.True(certificate.HasPrivateKey);
        Assert.Contains(commonName, certificate.Subject);
        Assert.Contains(issuer, certificate.Issuer);

        // openssl verify judges the chain against roots.pem.
        var leaf = temp.File("leaf.pem");
        OpenSsl.Ok("pkcs12", "-in", path, "-passin", "env:P12_PASSWORD", "-clcerts", "-nokeys", "-out", leaf);
        var verdict = OpenSsl.Ok("verify", "-CAfile", Shared.RootsPem, "-untrusted", Shared.IntermediatesPem, leaf);
        Assert.Contains(": OK", verdict);
    }

    [Fact]
    public void Subject_names_are_utf8_strings_in_nfc()
    {
        var officer = Shared.Pki.Officer.Certificate;
        var cn = officer.SubjectDN.GetValueList(X509Name.CN).Single();
        Assert.Equal("Nguyễn Văn An (DEVELOPMENT)".Normalize(System.Text.NormalizationForm.FormC), cn);
        Assert.True(cn.IsNormalized(System.Text.NormalizationForm.FormC));
        Assert.Equal("UBND phường Demo (DEVELOPMENT)", officer.SubjectDN.GetValueList(X509Name.O).Single());

        // Look at the DER: every CN and O value is a UTF8String (tag 12).
        var name = (Asn1Sequence)Asn1Object.FromByteArray(officer.SubjectDN.GetEncoded());
        foreach (Asn1Set rdn in name)
        {
            var attribute = (Asn1Sequence)rdn[0];
            var type = (DerObjectIdentifier)attribute[0];
            if (type.Equals(X509Name.CN) || type.Equals(X509Name.O))
                Assert.IsType<DerUtf8String>(attribute[1]);
        }
        using var temp = new TempDirectory();
        var pem = TestPki.WritePem(temp.Path, "officer.pem", [officer]);
        var output = OpenSsl.Ok("x509", "-in", pem, "-noout", "-subject", "-nameopt", "utf8,sep_comma_plus_space");
        Assert.Contains("CN=Nguyễn Văn An (DEVELOPMENT)", output);
        Assert.Contains("O=UBND phường Demo (DEVELOPMENT)", output);
    }

    [Fact]
    public void Signing_leaves_carry_key_usage_aia_and_crl_distribution_point()
    {
        var pki = Shared.Pki;
        foreach (var (credential, ca) in new[] { (pki.Officer, pki.GovernmentCa), (pki.OfficeSeal, pki.GovernmentCa), (pki.Notary, pki.PublicCa) })
        {
            var certificate = credential.Certificate;
            Assert.Contains(X509Extensions.KeyUsage.Id, certificate.GetCriticalExtensionOids());
            var usage = certificate.GetKeyUsage();
            Assert.True(usage[0], "digitalSignature");
            Assert.True(usage[1], "nonRepudiation");
            Assert.Equal(-1, certificate.GetBasicConstraints());

            var aia = AuthorityInformationAccess.GetInstance(X509ExtensionUtilities.FromExtensionValue(certificate.GetExtensionValue(X509Extensions.AuthorityInfoAccess)));
            var urls = aia.GetAccessDescriptions().ToDictionary(a => a.AccessMethod.Id, a => a.AccessLocation.Name.ToString());
            Assert.Equal(new Uri(pki.BaseUrl, "ocsp").AbsoluteUri, urls[AccessDescription.IdADOcsp.Id]);
            Assert.Equal(new Uri(pki.BaseUrl, $"certs/{ca.Slug}.crt").AbsoluteUri, urls[AccessDescription.IdADCAIssuers.Id]);
            Assert.Equal([new Uri(pki.BaseUrl, $"crl/{ca.Slug}.crl").AbsoluteUri], CrlUrls(certificate));
            Assert.Equal(ca.Certificate.SubjectDN, certificate.IssuerDN);
            certificate.Verify(ca.Certificate.GetPublicKey());
        }
        // Intermediates point at the root's CRL.
        Assert.Equal([new Uri(pki.BaseUrl, "crl/root.crl").AbsoluteUri], CrlUrls(pki.GovernmentCa.Certificate));
        Assert.Equal([new Uri(pki.BaseUrl, "crl/root.crl").AbsoluteUri], CrlUrls(pki.PublicCa.Certificate));
        Assert.Equal(0, pki.GovernmentCa.Certificate.GetBasicConstraints());
    }

    [Fact]
    public void Tsa_has_critical_timestamping_eku_and_openssl_accepts_it_for_timestamp_signing()
    {
        var tsa = Shared.Pki.TimestampAuthority.Certificate;
        Assert.Contains(X509Extensions.ExtendedKeyUsage.Id, tsa.GetCriticalExtensionOids());
        Assert.Equal([KeyPurposeID.id_kp_timeStamping.Id], tsa.GetExtendedKeyUsage().Select(o => o.Id));
        using var temp = new TempDirectory();
        var pem = TestPki.WritePem(temp.Path, "tsa.pem", [tsa]);
        Assert.Contains(": OK", OpenSsl.Ok("verify", "-purpose", "timestampsign", "-CAfile", Shared.RootsPem, "-untrusted", Shared.IntermediatesPem, pem));
    }

    [Fact]
    public void Ocsp_responders_are_delegated_by_their_ca_with_nocheck()
    {
        var pki = Shared.Pki;
        foreach (var ca in new[] { pki.GovernmentCa, pki.PublicCa })
        {
            var responder = pki.OcspResponderFor(ca)!.Certificate;
            Assert.Equal(ca.Certificate.SubjectDN, responder.IssuerDN);
            Assert.Equal([KeyPurposeID.id_kp_OCSPSigning.Id], responder.GetExtendedKeyUsage().Select(o => o.Id));
            Assert.NotNull(responder.GetExtensionValue(OcspObjectIdentifiers.PkixOcspNocheck));
            Assert.Contains("DEVELOPMENT", responder.SubjectDN.ToString());
        }
        Assert.Null(pki.OcspResponderFor(pki.Root));
    }

    [Fact]
    public void Validity_periods_count_from_the_injected_clock()
    {
        var clock = new FixedTimeProvider(new DateTimeOffset(2026, 3, 1, 8, 30, 15, 123, TimeSpan.Zero));
        var pki = DevelopmentPki.Create(new Uri("http://127.0.0.1:1"), clock);
        var start = new DateTime(2026, 3, 1, 8, 30, 15, DateTimeKind.Utc);
        foreach (var ca in pki.Authorities)
        {
            Assert.Equal(start - DevelopmentPki.ClockSkewAllowance, ca.Certificate.NotBefore);
            Assert.Equal(start.AddYears(20), ca.Certificate.NotAfter);
        }
        foreach (var leaf in new[] { pki.Officer, pki.OfficeSeal, pki.Notary, pki.OcspResponder })
        {
            Assert.Equal(start - DevelopmentPki.ClockSkewAllowance, leaf.Certificate.NotBefore);
            Assert.Equal(start.AddYears(3), leaf.Certificate.NotAfter);
        }
        Assert.Equal(start.AddYears(10), pki.TimestampAuthority.Certificate.NotAfter);
        Assert.Equal(2048, ((RSA)pki.Officer.PrivateKey).KeySize);

        clock.Advance(TimeSpan.FromDays(1));
        var extra = pki.IssueLeaf(pki.GovernmentCa, new LeafRequest("extra", "Extra (DEVELOPMENT)") { KeyAlgorithm = KeyAlgorithm.EcdsaP384 });
        Assert.Equal(start.AddDays(1) - DevelopmentPki.ClockSkewAllowance, extra.Certificate.NotBefore);
        Assert.IsAssignableFrom<ECDsa>(extra.PrivateKey);
        Assert.Equal(384, extra.PrivateKey.KeySize);
    }

    [Fact]
    public void Extra_leaves_have_the_requested_key_types_validity_and_usage()
    {
        var shared = Shared;
        Assert.True(shared.Expired.Certificate.NotAfter < DateTime.UtcNow);
        Assert.True(shared.NotYetValid.Certificate.NotBefore > DateTime.UtcNow);
        var usage = shared.NoSigningKeyUsage.Certificate.GetKeyUsage();
        Assert.False(usage[0]);
        Assert.False(usage[1]);
        Assert.True(usage[2]);
        Assert.Equal(256, shared.EcdsaP256.PrivateKey.KeySize);
        Assert.Equal(384, shared.EcdsaP384.PrivateKey.KeySize);
        Assert.Equal(3072, shared.Rsa3072.PrivateKey.KeySize);
        Assert.NotNull(shared.Pki.FindRevocation(DevelopmentPki.GovernmentCaSlug, shared.Revoked.SerialNumber));

        using var temp = new TempDirectory();
        foreach (var credential in new[] { shared.EcdsaP256, shared.EcdsaP384, shared.Rsa3072 })
        {
            var pem = TestPki.WritePem(temp.Path, credential.Name + ".pem", [credential.Certificate]);
            Assert.Contains(": OK", OpenSsl.Ok("verify", "-CAfile", shared.RootsPem, "-untrusted", shared.IntermediatesPem, pem));
        }
        var expired = TestPki.WritePem(temp.Path, "expired.pem", [shared.Expired.Certificate]);
        var (code, stdout, stderr) = OpenSsl.Run("verify", "-CAfile", shared.RootsPem, "-untrusted", shared.IntermediatesPem, expired);
        Assert.NotEqual(0, code);
        Assert.Contains("expired", stdout + stderr);
    }

    [Fact]
    public void Serial_numbers_are_unique_and_positive()
    {
        var pki = Shared.Pki;
        var serials = new[] { pki.Root, pki.GovernmentCa, pki.PublicCa, pki.Officer, pki.OfficeSeal, pki.Notary, pki.TimestampAuthority, pki.OcspResponder }
            .Select(c => c.Certificate.SerialNumber).ToList();
        Assert.Equal(serials.Count, serials.Distinct().Count());
        Assert.All(serials, s => Assert.True(s.SignValue > 0 && s.BitLength <= 159));
    }

    [Fact]
    public void Save_and_load_restore_the_pki_and_revocations_persist()
    {
        using var temp = new TempDirectory();
        var pki = DevelopmentPki.Create(new Uri("http://127.0.0.1:8999/"), rootKey: KeyAlgorithm.EcdsaP256, otherKeys: KeyAlgorithm.EcdsaP256);
        var extra = pki.IssueLeaf(pki.PublicCa, new LeafRequest("extra", "Extra (DEVELOPMENT)"));
        pki.Save(temp.Path, "pässwörd");
        foreach (var file in new[] { "roots.pem", "officer.p12", "office.p12", "notary.p12", "pki.json", "ca/root.p12", "ca/government-ca.p12", "ca/public-ca.p12", "ca/tsa.p12" })
            Assert.True(File.Exists(Path.Combine(temp.Path, file)), file);

        // A non-ASCII password works in openssl too (PBES2 over the UTF-8 bytes, MAC over the BMPString).
        var (code, stdout, stderr) = OpenSsl.RunWithPassword("pässwörd", "pkcs12", "-in", temp.File("officer.p12"), "-passin", "env:P12_PASSWORD", "-nodes");
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains("PRIVATE KEY", stdout);

        var loaded = DevelopmentPki.Load(temp.Path, "pässwörd");
        Assert.Equal(pki.BaseUrl, loaded.BaseUrl);
        Assert.Equal(pki.CreatedAt, loaded.CreatedAt);
        Assert.Equal(pki.Root.Certificate, loaded.Root.Certificate);
        Assert.Equal(pki.Officer.Certificate, loaded.Officer.Certificate);
        Assert.Equal(pki.OcspResponder.Certificate, loaded.OcspResponder.Certificate);
        Assert.Equal(pki.TimestampAuthority.Certificate, loaded.TimestampAuthority.Certificate);
        Assert.Equal(3, loaded.Officer.Chain.Count);
        Assert.True(loaded.HasIssued(DevelopmentPki.PublicCaSlug, extra.SerialNumber));

        // A revocation on the loaded PKI is on disk at once (no Save call).
        var when = new DateTimeOffset(2026, 2, 3, 4, 5, 6, TimeSpan.Zero);
        loaded.Revoke(loaded.Notary.SerialNumber, RevocationReason.CessationOfOperation, when);
        var again = DevelopmentPki.Load(temp.Path, "pässwörd");
        var entry = Assert.Single(again.Revocations);
        Assert.Equal(DevelopmentPki.PublicCaSlug, entry.IssuerSlug);
        Assert.Equal(loaded.Notary.SerialNumber, entry.SerialNumber);
        Assert.Equal(RevocationReason.CessationOfOperation, entry.Reason);
        Assert.Equal(when, entry.RevokedAt);

        // The loaded CA keys still issue certificates that chain to the saved root.
        var later = again.IssueLeaf(again.GovernmentCa, new LeafRequest("later", "Later (DEVELOPMENT)"));
        later.Certificate.Verify(pki.GovernmentCa.Certificate.GetPublicKey());

        Assert.ThrowsAny<CryptographicException>(() => DevelopmentPki.Load(temp.Path, "wrong"));
        Assert.Throws<FileNotFoundException>(() => DevelopmentPki.Load(temp.File("nothing-here"), "pässwörd"));
    }

    [Fact]
    public void Revoking_an_unknown_serial_is_refused()
    {
        Assert.Throws<ArgumentException>(() => Shared.Pki.Revoke(Org.BouncyCastle.Math.BigInteger.ValueOf(12345)));
    }

    private static IReadOnlyList<string> CrlUrls(BcCertificate certificate)
    {
        var points = CrlDistPoint.GetInstance(X509ExtensionUtilities.FromExtensionValue(certificate.GetExtensionValue(X509Extensions.CrlDistributionPoints)));
        return points.GetDistributionPoints()
            .SelectMany(p => GeneralNames.GetInstance(p.DistributionPointName.Name).GetNames())
            .Select(n => n.Name.ToString()!)
            .ToList();
    }

    private static int CountOccurrences(string text, string value)
    {
        int count = 0, index = 0;
        while ((index = text.IndexOf(value, index, StringComparison.Ordinal)) >= 0)
        {
            count++;
            index += value.Length;
        }
        return count;
    }
}
