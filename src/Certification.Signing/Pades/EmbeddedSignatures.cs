using Certification.Signing.Pdf;

namespace Certification.Signing.Pades;

/// <summary>A signature or document timestamp found in a file: its field, dictionary and the raw /Contents.</summary>
public sealed record EmbeddedSignature(
    string FieldName,
    PdfReference? FieldReference,
    PdfReference? ValueReference,
    PdfDictionary Dictionary,
    byte[] Contents,
    long[]? ByteRange)
{
    public bool IsDocumentTimestamp => Dictionary.GetName("Type") == "DocTimeStamp" || SubFilter == "ETSI.RFC3161";

    public string? SubFilter => Dictionary.GetName("SubFilter");

    /// <summary>The DER container without the zero padding that fills the rest of /Contents.</summary>
    public byte[] ContainerBytes => TrimToDer(Contents);

    /// <summary>Key of the signature's /VRI entry: upper-case hex SHA-1 of the /Contents bytes
    /// (ETSI EN 319 142-1 § 5.4.2.2).</summary>
    public string VriKey => Convert.ToHexString(System.Security.Cryptography.SHA1.HashData(Contents));

    /// <summary>Cuts a zero-padded DER value to the length its own header declares.</summary>
    public static byte[] TrimToDer(byte[] bytes)
    {
        if (bytes.Length < 2 || bytes[0] != 0x30) return bytes;
        int length, header;
        if (bytes[1] < 0x80) { length = bytes[1]; header = 2; }
        else
        {
            var count = bytes[1] & 0x7F;
            if (count is 0 or > 4 || bytes.Length < 2 + count) return bytes;
            length = 0;
            for (var i = 0; i < count; i++) length = length << 8 | bytes[2 + i];
            header = 2 + count;
        }
        return length < 0 || header + length > bytes.Length ? bytes : bytes[..(header + length)];
    }
}

/// <summary>Finds every signature field with a value in the AcroForm tree (ISO 32000-1 § 12.7.4.5).</summary>
public static class EmbeddedSignatures
{
    public static IReadOnlyList<EmbeddedSignature> Find(PdfFile file, PdfRevision? revision = null)
    {
        var result = new List<EmbeddedSignature>();
        var root = revision is null ? file.Catalog : file.Resolve(revision.Trailer["Root"], revision) as PdfDictionary;
        if (root is null || file.Get<PdfDictionary>(root, "AcroForm", revision) is not { } acroForm) return result;
        var visited = new HashSet<int>();
        foreach (var field in file.Get<PdfArray>(acroForm, "Fields", revision)?.Items ?? []) Walk(field, null, null, 0);
        return result;

        void Walk(PdfObject node, string? parentName, string? inheritedType, int depth)
        {
            if (depth > file.Limits.MaxNestingDepth) return;
            if (node is PdfReference r && !visited.Add(r.ObjectNumber)) return;
            if (file.Resolve(node, revision) is not PdfDictionary dict) return;
            var partial = (file.Resolve(dict["T"], revision) as PdfString)?.ToText();
            var name = partial is null ? parentName : parentName is null ? partial : $"{parentName}.{partial}";
            var type = dict.GetName("FT") ?? inheritedType;
            if (type == "Sig" && dict["V"] is { } value && file.Resolve(value, revision) is PdfDictionary sig)
            {
                var contents = (file.Resolve(sig["Contents"], revision) as PdfString)?.Bytes ?? [];
                var range = (file.Resolve(sig["ByteRange"], revision) as PdfArray)?.Items
                    .Select(i => (file.Resolve(i, revision) as PdfInteger)?.Value ?? -1).ToArray();
                result.Add(new EmbeddedSignature(name ?? "", node as PdfReference, value as PdfReference, sig, contents, range));
            }
            foreach (var kid in file.Get<PdfArray>(dict, "Kids", revision)?.Items ?? []) Walk(kid, name, type, depth + 1);
        }
    }
}
