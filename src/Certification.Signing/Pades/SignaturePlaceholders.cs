using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Certification.Signing.Pdf;
using Certification.Signing.Pdf.Writing;

namespace Certification.Signing.Pades;

/// <summary>The /ByteRange and /Contents slots of a signature dictionary, filled in once the revision is laid out.</summary>
public sealed class SignaturePlaceholders(int contentsCapacity)
{
    private const string ByteRangeTemplate = "[0 0000000000 0000000000 0000000000]";

    /// <summary>Room for the DER signature container, in bytes (written as twice as many hex digits).</summary>
    public int ContentsCapacity { get; } = contentsCapacity;

    public PdfPlaceholder ByteRange { get; } = new(Encoding.ASCII.GetBytes(ByteRangeTemplate));

    public PdfPlaceholder Contents { get; } = new(Encoding.ASCII.GetBytes("<" + new string('0', contentsCapacity * 2) + ">"));

    /// <summary>Fills in the byte range and computes the digest it covers: the whole file as of this
    /// revision except the /Contents hex string, delimiters included (ISO 32000-1 § 12.8.1).</summary>
    public PreparedRevision Layout(IncrementalPdf original, WrittenUpdate written, HashAlgorithmName hash)
    {
        var update = written.Bytes.ToArray();
        var baseLength = original.Length;
        var contentsStart = written.PlaceholderOffsets[Contents];
        var contentsEnd = contentsStart + Contents.Bytes.Length;
        var total = baseLength + update.Length;
        long[] range = [0, contentsStart, contentsEnd, total - contentsEnd];

        var text = string.Create(CultureInfo.InvariantCulture, $"[{range[0]} {range[1]} {range[2]} {range[3]}]").PadRight(ByteRangeTemplate.Length);
        Encoding.ASCII.GetBytes(text).CopyTo(update, written.PlaceholderOffsets[ByteRange] - baseLength);

        using var digest = IncrementalHash.CreateHash(hash);
        original.HashInto(digest);
        digest.AppendData(update, 0, (int)(contentsStart - baseLength));
        digest.AppendData(update, (int)(contentsEnd - baseLength), (int)(total - contentsEnd));
        return new PreparedRevision(update, baseLength, contentsStart, ContentsCapacity, range, digest.GetHashAndReset());
    }
}

/// <summary>A laid-out revision whose /Contents still holds zeros, and the digest its signature must cover.</summary>
public sealed class PreparedRevision(byte[] updateBytes, long baseLength, long contentsOffset, int contentsCapacity, long[] byteRange, byte[] digest)
{
    public byte[] UpdateBytes { get; } = updateBytes;
    public long BaseLength { get; } = baseLength;
    /// <summary>Absolute offset of the '&lt;' that opens /Contents.</summary>
    public long ContentsOffset { get; } = contentsOffset;
    public int ContentsCapacity { get; } = contentsCapacity;
    public IReadOnlyList<long> ByteRange { get; } = byteRange;
    public byte[] Digest { get; } = digest;

    /// <summary>Writes the signature container into /Contents; the zero padding after it stays (§ 12.8.1).</summary>
    public void Embed(byte[] container)
    {
        if (container.Length > ContentsCapacity)
            throw new InvalidOperationException($"The signature container ({container.Length} bytes) does not fit the {ContentsCapacity} bytes reserved for it");
        var hex = Encoding.ASCII.GetBytes(Convert.ToHexString(container));
        hex.CopyTo(UpdateBytes, ContentsOffset - BaseLength + 1);
    }
}
