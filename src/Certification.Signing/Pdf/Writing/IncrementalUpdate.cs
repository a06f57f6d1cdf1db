using System.Buffers;
using System.Globalization;

namespace Certification.Signing.Pdf.Writing;

/// <summary>
/// One incremental update (ISO 32000-1 § 7.5.6): new and changed objects, a cross-reference section of
/// the same kind as the file's last one, and a trailer with /Prev. The original bytes are never touched;
/// the result is only the bytes to append.
/// </summary>
public sealed class IncrementalUpdate : IObjectSink
{
    private readonly PdfFile _file;
    private readonly SortedDictionary<int, (int Generation, PdfObject? Object)> _objects = [];
    private int _nextNumber;

    public IncrementalUpdate(PdfFile file)
    {
        if (file.IsEncrypted) throw new PdfFormatException("Encrypted PDFs cannot be signed: decrypt them first");
        _file = file;
        _nextNumber = (int)((file.Trailer["Size"] as PdfInteger)?.Value ?? 0);
        // A reconstructed file's /Size may be missing or wrong; never reuse a number that is in use.
        var highest = file.Revisions.SelectMany(r => r.DefinedObjects).DefaultIfEmpty(0).Max();
        _nextNumber = Math.Max(_nextNumber, highest + 1);
    }

    public PdfFile File => _file;

    /// <summary>Reserves a new object number; give it content later with <see cref="Set"/>.</summary>
    public PdfReference Reserve()
    {
        var reference = new PdfReference(_nextNumber++, 0);
        _objects[reference.ObjectNumber] = (0, null);
        return reference;
    }

    public PdfReference Add(PdfObject obj)
    {
        var reference = Reserve();
        Set(reference, obj);
        return reference;
    }

    /// <summary>Gives new content to a reserved object or to an existing one (which is then redefined in this revision).</summary>
    public void Set(PdfReference reference, PdfObject obj)
    {
        if (obj is PdfReference) throw new ArgumentException("An indirect object cannot be a bare reference", nameof(obj));
        _objects[reference.ObjectNumber] = (reference.Generation, obj);
    }

    public bool IsEmpty => _objects.Count == 0;

    /// <summary>Lays out the update. Placeholder positions are absolute offsets in the updated file.</summary>
    public WrittenUpdate Write(bool compressXrefStream = true)
    {
        if (_objects.Values.Any(o => o.Object is null)) throw new InvalidOperationException("A reserved object was never given content");
        var baseLength = _file.Data.Length;
        var buffer = new ArrayBufferWriter<byte>(4096);
        var serializer = new PdfSerializer(buffer);
        var last = baseLength > 0 ? _file.Data.Span[^1] : (byte)'\n';
        if (last is not ((byte)'\n' or (byte)'\r')) serializer.WriteAscii("\n");

        var offsets = new SortedDictionary<int, (long Offset, int Generation)>();
        foreach (var (number, (generation, obj)) in _objects)
        {
            offsets[number] = (baseLength + serializer.Position, generation);
            serializer.WriteAscii($"{number} {generation} obj\n");
            serializer.Write(obj!);
            serializer.WriteAscii("\nendobj\n");
        }

        var trailer = new PdfDictionary();
        foreach (var (key, value) in _file.Trailer.Entries)
        {
            if (key is "Root" or "Info" or "ID" or "Encrypt") trailer[key] = value;
        }
        trailer["Prev"] = new PdfInteger(_file.LastStartXref);

        var xrefOffset = baseLength + serializer.Position;
        if (_file.LastRevision.Kind == XrefSectionKind.Stream)
            WriteXrefStream(serializer, trailer, offsets, xrefOffset, compressXrefStream);
        else
            WriteXrefTable(serializer, trailer, offsets);
        serializer.WriteAscii($"startxref\n{xrefOffset.ToString(CultureInfo.InvariantCulture)}\n%%EOF\n");

        var placeholders = serializer.PlaceholderPositions.ToDictionary(p => p.Key, p => p.Value + baseLength);
        return new WrittenUpdate(buffer.WrittenMemory, placeholders);
    }

    private void WriteXrefTable(PdfSerializer serializer, PdfDictionary trailer, SortedDictionary<int, (long Offset, int Generation)> offsets)
    {
        trailer["Size"] = new PdfInteger(Math.Max(_nextNumber, offsets.Keys.Max() + 1));
        serializer.WriteAscii("xref\n");
        foreach (var run in ConsecutiveRuns(offsets.Keys))
        {
            serializer.WriteAscii($"{run.First} {run.Count}\n");
            for (var n = run.First; n < run.First + run.Count; n++)
            {
                var (offset, generation) = offsets[n];
                // Each entry is exactly 20 bytes (§ 7.5.4).
                serializer.WriteAscii($"{offset:D10} {generation:D5} n\r\n");
            }
        }
        serializer.WriteAscii("trailer\n");
        serializer.Write(OrderTrailer(trailer));
        serializer.WriteAscii("\n");
    }

    private void WriteXrefStream(PdfSerializer serializer, PdfDictionary trailer, SortedDictionary<int, (long Offset, int Generation)> offsets, long xrefOffset, bool compress)
    {
        // The cross-reference stream is an object of this revision too (§ 7.5.8.2).
        var xrefNumber = _nextNumber;
        var all = new SortedDictionary<int, (long Offset, int Generation)>(offsets) { [xrefNumber] = (xrefOffset, 0) };
        var offsetWidth = BytesNeeded(xrefOffset);
        var rows = new byte[all.Count * (1 + offsetWidth + 2)];
        var i = 0;
        foreach (var (_, (offset, generation)) in all)
        {
            rows[i++] = 1;
            for (var b = offsetWidth - 1; b >= 0; b--) rows[i++] = (byte)(offset >> (8 * b));
            rows[i++] = (byte)(generation >> 8);
            rows[i++] = (byte)generation;
        }
        var index = new PdfArray();
        foreach (var run in ConsecutiveRuns(all.Keys))
        {
            index.Add(new PdfInteger(run.First));
            index.Add(new PdfInteger(run.Count));
        }
        var dict = new PdfDictionary()
            .Set("Type", new PdfName("XRef"))
            .Set("Size", new PdfInteger(xrefNumber + 1))
            .Set("Index", index)
            .Set("W", new PdfArray([new PdfInteger(1), new PdfInteger(offsetWidth), new PdfInteger(2)]));
        foreach (var (key, value) in OrderTrailer(trailer).Entries) dict[key] = value;
        ReadOnlyMemory<byte> data = rows;
        if (compress)
        {
            dict["Filter"] = new PdfName("FlateDecode");
            data = StreamEncoder.Deflate(rows);
        }
        serializer.WriteAscii($"{xrefNumber} 0 obj\n");
        serializer.Write(new PdfStream(dict, data));
        serializer.WriteAscii("\nendobj\n");
    }

    private static PdfDictionary OrderTrailer(PdfDictionary trailer)
    {
        var ordered = new PdfDictionary();
        foreach (var key in new[] { "Size", "Root", "Info", "ID", "Encrypt", "Prev" })
        {
            if (trailer[key] is { } value) ordered[key] = value;
        }
        return ordered;
    }

    private static int BytesNeeded(long value)
    {
        var width = 1;
        while (value >= 1L << (8 * width)) width++;
        return width;
    }

    private static IEnumerable<(int First, int Count)> ConsecutiveRuns(IEnumerable<int> sortedNumbers)
    {
        int? first = null;
        var count = 0;
        foreach (var n in sortedNumbers)
        {
            if (first is { } f && n == f + count) { count++; continue; }
            if (first is { } done) yield return (done, count);
            first = n;
            count = 1;
        }
        if (first is { } last) yield return (last, count);
    }
}

/// <summary>The bytes of an incremental update and where its placeholders landed (absolute file offsets).</summary>
public sealed record WrittenUpdate(ReadOnlyMemory<byte> Bytes, IReadOnlyDictionary<PdfPlaceholder, long> PlaceholderOffsets);
