using System.Security.Cryptography;
using Certification.Signing.Pdf;
using Certification.Signing.Pdf.Writing;

namespace Certification.Signing.Pades;

/// <summary>
/// Writes the document security store (/DSS, ETSI EN 319 142-1 § 5.4.2, ISO 32000-2 § 12.8.4.3) in its own
/// incremental update: shared /Certs, /CRLs and /OCSPs streams, and a /VRI entry per signature naming
/// the material that validates it. Existing DSS content is kept; identical material is stored once.
/// </summary>
public static class DocumentSecurityStore
{
    public sealed record VriEntry(string Key, ValidationMaterial Material);

    /// <summary>Appends the DSS revision for <paramref name="entries"/> to <paramref name="pdf"/>.</summary>
    public static void Append(IncrementalPdf pdf, IReadOnlyList<VriEntry> entries, DateTimeOffset updateTime)
    {
        var file = pdf.Open();
        var update = new IncrementalUpdate(file);
        var catalog = new CatalogChanges(file);
        var existing = file.Get<PdfDictionary>(file.Catalog, "DSS");
        var dss = existing is null ? new PdfDictionary() : new PdfDictionary(existing);

        var pools = new Dictionary<string, Pool>
        {
            ["Certs"] = new(file, update, file.Get<PdfArray>(dss, "Certs")),
            ["CRLs"] = new(file, update, file.Get<PdfArray>(dss, "CRLs")),
            ["OCSPs"] = new(file, update, file.Get<PdfArray>(dss, "OCSPs")),
        };
        var vri = file.Get<PdfDictionary>(dss, "VRI") is { } existingVri ? new PdfDictionary(existingVri) : new PdfDictionary();
        foreach (var entry in entries)
        {
            var item = new PdfDictionary();
            AddRefs(item, "Cert", pools["Certs"], entry.Material.Certificates);
            AddRefs(item, "CRL", pools["CRLs"], entry.Material.Crls);
            AddRefs(item, "OCSP", pools["OCSPs"], entry.Material.OcspResponses);
            item["TU"] = PdfDate.ToPdfString(updateTime);
            vri[entry.Key] = update.Add(item);
        }
        foreach (var (key, pool) in pools)
        {
            if (pool.Items.Count > 0) dss[key] = new PdfArray(pool.Items);
        }
        dss["VRI"] = vri;
        dss["Type"] = new PdfName("DSS");

        if (catalog.Current["DSS"] is PdfReference dssRef) update.Set(dssRef, dss);
        else catalog.Edit()["DSS"] = update.Add(dss);
        catalog.WriteTo(update);
        pdf.Append(update.Write().Bytes.Span);
    }

    private static void AddRefs(PdfDictionary item, string key, Pool pool, IReadOnlyList<byte[]> material)
    {
        if (material.Count == 0) return;
        item[key] = new PdfArray(material.Select(m => (PdfObject)pool.Add(m)).Distinct());
    }

    /// <summary>One of the DSS arrays, indexed by content digest so nothing is stored twice.</summary>
    private sealed class Pool
    {
        private readonly Dictionary<string, PdfReference> _byDigest = [];
        private readonly IncrementalUpdate _update;

        public Pool(PdfFile file, IncrementalUpdate update, PdfArray? existing)
        {
            _update = update;
            foreach (var item in existing?.Items ?? [])
            {
                Items.Add(item);
                if (item is PdfReference r && file.Resolve(r) is PdfStream s)
                    _byDigest.TryAdd(Convert.ToHexString(SHA256.HashData(file.DecodeStream(s))), r);
            }
        }

        public List<PdfObject> Items { get; } = [];

        public PdfReference Add(byte[] data)
        {
            var digest = Convert.ToHexString(SHA256.HashData(data));
            if (_byDigest.TryGetValue(digest, out var existing)) return existing;
            var reference = _update.Add(new PdfStream(new PdfDictionary(), data));
            _byDigest[digest] = reference;
            Items.Add(reference);
            return reference;
        }
    }
}
