using System.Globalization;
using System.Text;

namespace Certification.Signing.Pdf;

/// <summary>
/// A PDF file read revision by revision (ISO 32000-1 § 7.5). Objects are parsed lazily and can be
/// resolved as of any revision, which is what incremental signing and modification analysis need.
/// The bytes are never changed.
/// </summary>
public sealed class PdfFile
{
    // Keyed by where an object is stored; for compressed objects also by which definition of their
    // object stream applies, since a later revision may redefine the object stream itself.
    private readonly Dictionary<(XrefEntry Entry, XrefEntry Container), PdfObject?> _objectCache = [];
    private readonly Dictionary<XrefEntry, (byte[] Decoded, int[] Numbers, int[] Offsets, int First)> _objectStreams = [];
    private readonly List<string> _warnings = [];
    private readonly HashSet<XrefEntry> _loading = [];

    private PdfFile(ReadOnlyMemory<byte> data, PdfReadLimits limits)
    {
        Data = data;
        Limits = limits;
    }

    public ReadOnlyMemory<byte> Data { get; }
    public PdfReadLimits Limits { get; }

    /// <summary>Revisions, oldest first.</summary>
    public IReadOnlyList<PdfRevision> Revisions { get; private set; } = [];

    public PdfRevision LastRevision => Revisions[^1];

    public PdfDictionary Trailer => LastRevision.Trailer;

    /// <summary>The offset named by the file's final startxref.</summary>
    public long LastStartXref { get; private set; }

    /// <summary>True when the cross-reference data was unusable and objects were found by scanning.</summary>
    public bool IsReconstructed { get; private set; }

    public IReadOnlyList<string> Warnings => _warnings;

    public string HeaderVersion { get; private set; } = "";

    public static PdfFile Open(ReadOnlyMemory<byte> data, PdfReadLimits? limits = null)
    {
        var file = new PdfFile(data, limits ?? PdfReadLimits.Default);
        file.ReadStructure();
        return file;
    }

    public PdfDictionary Catalog =>
        Resolve(Trailer["Root"]) as PdfDictionary ?? throw new PdfFormatException("The trailer has no document catalog (/Root)");

    public bool IsEncrypted => Trailer.ContainsKey("Encrypt");

    // ---------------------------------------------------------------- object access

    /// <summary>The object with this number as of <paramref name="revision"/> (default: the last), or null when absent or free.</summary>
    public PdfObject? GetObject(int number, PdfRevision? revision = null)
    {
        var revisionIndex = (revision ?? LastRevision).Index;
        return LookupEntry(number, revisionIndex) is { } entry ? Load(number, entry, revisionIndex) : null;
    }

    /// <summary>Where the object with this number is defined as of a revision.</summary>
    public XrefEntry? LookupEntry(int number, int revisionIndex)
    {
        for (var r = Math.Min(revisionIndex, Revisions.Count - 1); r >= 0; r--)
        {
            var sections = Revisions[r].Sections;
            for (var s = sections.Count - 1; s >= 0; s--)
            {
                if (sections[s].Entries.TryGetValue(number, out var entry))
                    return entry.Kind == XrefEntryKind.Free ? null : entry;
            }
        }
        return null;
    }

    /// <summary>Follows indirect references (bounded, so reference cycles end with an error).</summary>
    public PdfObject? Resolve(PdfObject? obj, PdfRevision? revision = null)
    {
        for (var i = 0; obj is PdfReference r; i++)
        {
            if (i >= Limits.MaxReferenceChain) throw new PdfFormatException($"Reference chain longer than {Limits.MaxReferenceChain} at object {r.ObjectNumber}");
            obj = GetObject(r.ObjectNumber, revision);
        }
        return obj;
    }

    public T? Get<T>(PdfDictionary dict, string key, PdfRevision? revision = null) where T : PdfObject =>
        Resolve(dict[key], revision) as T;

    public byte[] DecodeStream(PdfStream stream, PdfRevision? revision = null) =>
        StreamDecoder.Decode(stream, Limits, o => Resolve(o, revision));

    /// <summary>The page objects in document order (§ 7.7.3.2), guarded against cycles in the page tree.</summary>
    public IReadOnlyList<PdfReference> GetPageReferences(PdfRevision? revision = null)
    {
        var pages = new List<PdfReference>();
        var visited = new HashSet<int>();
        var root = (revision is null ? Catalog : Resolve(revision.Trailer["Root"], revision) as PdfDictionary)
                   ?? throw new PdfFormatException("No document catalog");
        Walk(root["Pages"], 0);
        return pages;

        void Walk(PdfObject? node, int depth)
        {
            if (node is not PdfReference reference) throw new PdfFormatException("Page tree node is not an indirect object");
            if (!visited.Add(reference.ObjectNumber)) throw new PdfFormatException($"Cycle in the page tree at object {reference.ObjectNumber}");
            if (depth > Limits.MaxNestingDepth) throw new PdfFormatException("Page tree too deep");
            var dict = Resolve(reference, revision) as PdfDictionary ?? throw new PdfFormatException($"Page tree node {reference.ObjectNumber} is not a dictionary");
            if (dict.GetName("Type") == "Page" || (!dict.ContainsKey("Kids") && dict.GetName("Type") != "Pages"))
            {
                pages.Add(reference);
                return;
            }
            var kids = Resolve(dict["Kids"], revision) as PdfArray ?? throw new PdfFormatException($"Pages node {reference.ObjectNumber} has no /Kids");
            foreach (var kid in kids.Items) Walk(kid, depth + 1);
        }
    }

    private PdfObject? Load(int number, XrefEntry entry, int revisionIndex)
    {
        var container = entry.Kind == XrefEntryKind.InObjectStream
            ? LookupEntry((int)entry.Offset, revisionIndex) ?? throw new PdfFormatException($"Object stream {entry.Offset} holding object {number} is missing")
            : default;
        var key = (entry, container);
        if (_objectCache.TryGetValue(key, out var cached)) return cached;
        // An object whose parsing needs itself (e.g. a stream whose /Length refers back to it) is a cycle.
        if (!_loading.Add(entry) || _loading.Count > Limits.MaxReferenceChain)
            throw new PdfFormatException($"Object {number} depends on itself (reference cycle)");
        try
        {
            var obj = entry.Kind == XrefEntryKind.InObjectStream
                ? LoadFromObjectStream(number, (int)entry.Offset, entry.Generation, container, revisionIndex)
                : ParseIndirectObjectAt(entry.Offset, number).Object;
            _objectCache[key] = obj;
            return obj;
        }
        finally
        {
            _loading.Remove(entry);
        }
    }

    /// <summary>Parses "N G obj ... endobj" at an offset; streams get their data by /Length, or by
    /// scanning for endstream when /Length is wrong.</summary>
    public (ObjectId Id, PdfObject Object, long End) ParseIndirectObjectAt(long offset, int? expectedNumber = null)
    {
        if (offset < 0 || offset >= Data.Length) throw new PdfFormatException($"Object {expectedNumber} offset {offset} lies outside the file");
        var lexer = new PdfLexer(Data, Limits) { Position = (int)offset };
        var id = lexer.TryReadObjectHeader() ?? throw new PdfFormatException($"No object header where object {expectedNumber} should be", offset);
        if (expectedNumber is { } n && id.Number != n) throw new PdfFormatException($"Found object {id.Number} where object {n} should be", offset);
        var obj = lexer.ReadObject();
        var afterObject = lexer.Position;
        if (obj is PdfDictionary dict && lexer.TryReadKeyword("stream"))
        {
            var span = Data.Span;
            var start = lexer.Position;
            if (start < span.Length && span[start] == '\r') start++;
            if (start < span.Length && span[start] == '\n') start++;
            var length = Resolve(dict["Length"]) is PdfInteger l ? l.Value : -1;
            if (length < 0 || start + length > span.Length || !EndstreamFollows(start + length))
            {
                var found = Data.Span[start..].IndexOf("endstream"u8);
                if (found < 0) throw new PdfFormatException($"Stream of object {id.Number} has no endstream", start);
                length = found;
                while (length > 0 && span[start + (int)length - 1] is (byte)'\n' or (byte)'\r') length--;
                _warnings.Add($"Object {id.Number}: /Length is wrong; stream data found by scanning");
            }
            obj = new PdfStream(dict, Data.Slice(start, (int)length));
            lexer.Position = start + (int)length;
            lexer.TryReadKeyword("endstream");
            afterObject = lexer.Position;
        }
        if (lexer.TryReadKeyword("endobj")) afterObject = lexer.Position;
        return (id, obj, afterObject);
    }

    private bool EndstreamFollows(long position)
    {
        var lexer = new PdfLexer(Data, Limits) { Position = (int)position };
        return lexer.ReadToken() == "endstream";
    }

    private PdfObject? LoadFromObjectStream(int number, int streamNumber, int index, XrefEntry streamEntry, int revisionIndex)
    {
        if (!_objectStreams.TryGetValue(streamEntry, out var objStm))
        {
            if (streamEntry.Kind != XrefEntryKind.InFile) throw new PdfFormatException($"Object stream {streamNumber} is itself compressed (§ 7.5.7 forbids it)");
            var stream = Load(streamNumber, streamEntry, revisionIndex) as PdfStream ?? throw new PdfFormatException($"Object stream {streamNumber} is missing");
            var decoded = DecodeStream(stream, Revisions[revisionIndex]);
            var count = (int)((stream.Dictionary["N"] as PdfInteger)?.Value ?? 0);
            var first = (int)((stream.Dictionary["First"] as PdfInteger)?.Value ?? 0);
            if (count < 0 || count > Limits.MaxObjects || first < 0 || first > decoded.Length)
                throw new PdfFormatException($"Object stream {streamNumber} has an invalid header");
            var header = new PdfLexer(decoded, Limits);
            var numbers = new int[count];
            var offsets = new int[count];
            for (var i = 0; i < count; i++)
            {
                if (header.ReadObject() is not PdfInteger num || header.ReadObject() is not PdfInteger off)
                    throw new PdfFormatException($"Object stream {streamNumber} has an invalid header");
                numbers[i] = (int)num.Value;
                offsets[i] = (int)off.Value;
            }
            objStm = (decoded, numbers, offsets, first);
            _objectStreams[streamEntry] = objStm;
        }
        if (index < 0 || index >= objStm.Numbers.Length || objStm.Numbers[index] != number)
        {
            index = Array.IndexOf(objStm.Numbers, number);
            if (index < 0) throw new PdfFormatException($"Object {number} is not in object stream {streamNumber}");
        }
        var position = objStm.First + objStm.Offsets[index];
        if (position < 0 || position >= objStm.Decoded.Length) throw new PdfFormatException($"Object {number} lies outside object stream {streamNumber}");
        return new PdfLexer(objStm.Decoded, Limits) { Position = position }.ReadObject();
    }

    // ---------------------------------------------------------------- structure

    private void ReadStructure()
    {
        var span = Data.Span;
        var headerAt = span[..Math.Min(span.Length, 1024)].IndexOf("%PDF-"u8);
        if (headerAt < 0) throw new PdfFormatException("Not a PDF file: no %PDF- header in the first 1024 bytes");
        HeaderVersion = Encoding.ASCII.GetString(span.Slice(headerAt + 5, Math.Min(3, span.Length - headerAt - 5)));

        try
        {
            LastStartXref = FindLastStartXref();
            Revisions = ReadRevisionChain(LastStartXref);
            _ = Catalog;
        }
        catch (PdfFormatException e)
        {
            _warnings.Add($"Cross-reference data unusable ({e.Message}); objects found by scanning the file");
            _objectCache.Clear();
            _objectStreams.Clear();
            Revisions = [Reconstruct()];
            IsReconstructed = true;
            _ = Catalog;
        }
    }

    private long FindLastStartXref()
    {
        var span = Data.Span;
        var searchFrom = Math.Max(0, span.Length - 4096);
        var at = span[searchFrom..].LastIndexOf("startxref"u8);
        if (at < 0) throw new PdfFormatException("No startxref near the end of the file");
        var lexer = new PdfLexer(Data, Limits) { Position = searchFrom + at + "startxref".Length };
        if (!long.TryParse(lexer.ReadToken(), NumberStyles.None, CultureInfo.InvariantCulture, out var offset) || offset <= 0 || offset >= span.Length)
            throw new PdfFormatException("startxref does not give a valid offset");
        return offset;
    }

    private List<PdfRevision> ReadRevisionChain(long startXref)
    {
        var chain = new List<XrefSection>();
        var visited = new HashSet<long>();
        for (long? offset = startXref; offset is { } o; )
        {
            if (!visited.Add(o)) throw new PdfFormatException($"Cross-reference /Prev chain loops back to offset {o}");
            if (chain.Count >= Limits.MaxRevisions) throw new PdfFormatException($"More than {Limits.MaxRevisions} cross-reference sections");
            var section = ReadXrefSection(o);
            chain.Add(section);
            offset = section.PreviousOffset;
        }
        chain.Reverse(); // oldest first

        // A section that sits before its predecessor in the file is the first-page section of a
        // linearized original (Annex F): it belongs to the same revision.
        var groups = new List<List<XrefSection>>();
        foreach (var section in chain)
        {
            if (groups.Count > 0 && section.Offset < groups[^1][^1].Offset) groups[^1].Add(section);
            else groups.Add([section]);
        }
        var revisions = new List<PdfRevision>(groups.Count);
        foreach (var group in groups)
        {
            var end = group.Max(s => EndOfRevisionAfter(s.End));
            revisions.Add(new PdfRevision { Index = revisions.Count, Sections = group, EndOffset = end });
        }
        return revisions;
    }

    /// <summary>The offset just past the first %%EOF at or after <paramref name="position"/>, plus its end-of-line.</summary>
    private long EndOfRevisionAfter(long position)
    {
        var span = Data.Span;
        var at = span[(int)position..].IndexOf("%%EOF"u8);
        if (at < 0) return span.Length;
        var end = (int)position + at + 5;
        if (end < span.Length && span[end] == '\r') end++;
        if (end < span.Length && span[end] == '\n') end++;
        return end;
    }

    private XrefSection ReadXrefSection(long offset)
    {
        var lexer = new PdfLexer(Data, Limits) { Position = (int)offset };
        if (lexer.TryReadKeyword("xref")) return ReadXrefTable(lexer, offset);
        lexer.Position = (int)offset;
        var (_, obj, end) = ParseIndirectObjectAt(offset);
        if (obj is PdfStream stream && stream.Dictionary.GetName("Type") == "XRef")
            return new XrefSection { Offset = offset, Kind = XrefSectionKind.Stream, Trailer = stream.Dictionary, Entries = ReadXrefStream(stream), End = end };
        throw new PdfFormatException("No cross-reference section at the offset given by startxref or /Prev", offset);
    }

    private XrefSection ReadXrefTable(PdfLexer lexer, long offset)
    {
        var entries = new Dictionary<int, XrefEntry>();
        while (true)
        {
            var token = lexer.ReadToken();
            if (token == "trailer") break;
            if (!int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var first) ||
                !int.TryParse(lexer.ReadToken(), NumberStyles.None, CultureInfo.InvariantCulture, out var count))
                throw new PdfFormatException("Malformed cross-reference table", lexer.Position);
            if (count < 0 || (long)first + count > Limits.MaxObjects) throw new PdfFormatException($"Cross-reference subsection declares too many objects ({count})", lexer.Position);
            for (var i = 0; i < count; i++)
            {
                var offsetToken = lexer.ReadToken();
                var genToken = lexer.ReadToken();
                var type = lexer.ReadToken();
                if (!long.TryParse(offsetToken, NumberStyles.None, CultureInfo.InvariantCulture, out var objOffset) ||
                    !int.TryParse(genToken, NumberStyles.None, CultureInfo.InvariantCulture, out var gen) || type is not ("n" or "f"))
                    throw new PdfFormatException("Malformed cross-reference entry", lexer.Position);
                entries[first + i] = type == "n" && objOffset > 0
                    ? new XrefEntry(XrefEntryKind.InFile, objOffset, gen)
                    : new XrefEntry(XrefEntryKind.Free, 0, gen);
            }
        }
        var trailer = lexer.ReadObject() as PdfDictionary ?? throw new PdfFormatException("Trailer is not a dictionary", lexer.Position);
        var kind = XrefSectionKind.Table;
        if (trailer["XRefStm"] is PdfInteger xrefStm)
        {
            // Hybrid file (§ 7.5.8.4): the stream supplies objects the table leaves out (marked free or missing).
            var (_, obj, _) = ParseIndirectObjectAt(xrefStm.Value);
            if (obj is PdfStream stream)
            {
                foreach (var (number, entry) in ReadXrefStream(stream))
                {
                    if (!entries.TryGetValue(number, out var existing) || existing.Kind == XrefEntryKind.Free) entries[number] = entry;
                }
                kind = XrefSectionKind.Hybrid;
            }
        }
        return new XrefSection { Offset = offset, Kind = kind, Trailer = trailer, Entries = entries, End = lexer.Position };
    }

    private Dictionary<int, XrefEntry> ReadXrefStream(PdfStream stream)
    {
        var dict = stream.Dictionary;
        var widths = (dict["W"] as PdfArray)?.Items.Select(i => (int)((i as PdfInteger)?.Value ?? -1)).ToArray();
        if (widths is not { Length: 3 } || widths.Any(w => w is < 0 or > 8)) throw new PdfFormatException("Cross-reference stream has an invalid /W");
        var size = (dict["Size"] as PdfInteger)?.Value ?? 0;
        var index = (dict["Index"] as PdfArray)?.Items.Select(i => (i as PdfInteger)?.Value ?? -1).ToArray() ?? [0, size];
        if (index.Length % 2 != 0 || index.Any(v => v < 0)) throw new PdfFormatException("Cross-reference stream has an invalid /Index");
        var data = StreamDecoder.Decode(stream, Limits, o => o is PdfReference ? null : o);
        var rowLength = widths.Sum();
        var entries = new Dictionary<int, XrefEntry>();
        var position = 0;
        for (var s = 0; s < index.Length; s += 2)
        {
            if (index[s] + index[s + 1] > Limits.MaxObjects) throw new PdfFormatException("Cross-reference stream declares too many objects");
            for (var i = 0; i < index[s + 1]; i++)
            {
                if (position + rowLength > data.Length) throw new PdfFormatException("Cross-reference stream is shorter than its /Index declares");
                var type = widths[0] == 0 ? 1 : ReadField(data, position, widths[0]);
                var field2 = ReadField(data, position + widths[0], widths[1]);
                var field3 = ReadField(data, position + widths[0] + widths[1], widths[2]);
                position += rowLength;
                var number = (int)(index[s] + i);
                entries[number] = type switch
                {
                    0 => new XrefEntry(XrefEntryKind.Free, 0, (int)field3),
                    1 => new XrefEntry(XrefEntryKind.InFile, field2, (int)field3),
                    2 => new XrefEntry(XrefEntryKind.InObjectStream, field2, (int)field3),
                    _ => new XrefEntry(XrefEntryKind.Free, 0, 0), // unknown types are treated as null objects (§ 7.5.8.3)
                };
            }
        }
        return entries;

        static long ReadField(byte[] data, int at, int width)
        {
            long value = 0;
            for (var i = 0; i < width; i++) value = value << 8 | data[at + i];
            return value;
        }
    }

    /// <summary>Rebuilds a single revision by scanning for "N G obj" headers; later definitions win, as in
    /// viewers. Used only when the cross-reference data is unusable, and reported as such.</summary>
    private PdfRevision Reconstruct()
    {
        var span = Data.Span;
        var entries = new Dictionary<int, XrefEntry>();
        PdfDictionary? trailer = null;
        var pos = 0;
        while (true)
        {
            var at = span[pos..].IndexOf(" obj"u8);
            if (at < 0) break;
            var objKeyword = pos + at + 1;
            var headerStart = objKeyword - 1;
            // Walk back over "N G " to the start of the line.
            var p = headerStart;
            while (p > 0 && (span[p - 1] is >= (byte)'0' and <= (byte)'9' || span[p - 1] == ' ')) p--;
            var lexer = new PdfLexer(Data, Limits) { Position = p };
            if (lexer.TryReadObjectHeader() is { } id && entries.Count < Limits.MaxObjects)
            {
                entries[id.Number] = new XrefEntry(XrefEntryKind.InFile, p, id.Generation);
                try
                {
                    var (_, obj, end) = ParseIndirectObjectAt(p, id.Number);
                    if (obj is PdfStream s && s.Dictionary.GetName("Type") == "XRef" && s.Dictionary.ContainsKey("Root")) trailer = s.Dictionary;
                    if (obj is PdfStream objStm && objStm.Dictionary.GetName("Type") == "ObjStm") RegisterObjectStream(id.Number, objStm, entries);
                    pos = (int)Math.Max(end, objKeyword + 3);
                    continue;
                }
                catch (PdfFormatException)
                {
                    // Keep scanning: a damaged object must not hide the ones after it.
                }
            }
            pos = objKeyword + 3;
        }
        var trailerAt = span.LastIndexOf("trailer"u8);
        if (trailerAt >= 0)
        {
            try
            {
                var lexer = new PdfLexer(Data, Limits) { Position = trailerAt + 7 };
                if (lexer.ReadObject() is PdfDictionary t && t.ContainsKey("Root")) trailer = t;
            }
            catch (PdfFormatException) { }
        }
        if (trailer is null)
        {
            // Look for the catalog among the scanned objects, reading them through a provisional revision.
            Revisions = [ScannedRevision(entries, new PdfDictionary())];
            foreach (var number in entries.Keys)
            {
                PdfObject? candidate;
                try { candidate = GetObject(number); }
                catch (PdfFormatException) { continue; }
                if (candidate is PdfDictionary d && d.GetName("Type") == "Catalog")
                {
                    trailer = new PdfDictionary().Set("Root", new PdfReference(number, entries[number].Generation));
                    break;
                }
            }
        }
        if (trailer is null) throw new PdfFormatException("No document catalog found, even by scanning the file");
        return ScannedRevision(entries, trailer);
    }

    private PdfRevision ScannedRevision(Dictionary<int, XrefEntry> entries, PdfDictionary trailer) => new()
    {
        Index = 0,
        Sections = [new XrefSection { Offset = 0, Kind = XrefSectionKind.Table, Trailer = trailer, Entries = entries, End = Data.Length }],
        EndOffset = Data.Length,
    };

    private void RegisterObjectStream(int streamNumber, PdfStream stream, Dictionary<int, XrefEntry> entries)
    {
        var decoded = DecodeStream(stream);
        var count = (int)((stream.Dictionary["N"] as PdfInteger)?.Value ?? 0);
        var header = new PdfLexer(decoded, Limits);
        for (var i = 0; i < count && i < Limits.MaxObjects; i++)
        {
            if (header.ReadObject() is not PdfInteger num || header.ReadObject() is not PdfInteger) break;
            if (!entries.ContainsKey((int)num.Value)) entries[(int)num.Value] = new XrefEntry(XrefEntryKind.InObjectStream, streamNumber, i);
        }
    }
}
