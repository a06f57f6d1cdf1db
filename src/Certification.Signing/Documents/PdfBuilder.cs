using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using Certification.Signing.Pdf;
using Certification.Signing.Pdf.Writing;

namespace Certification.Signing.Documents;

/// <summary>
/// Writes a whole PDF from the project's object model (ISO 32000-1 § 7.5: header, body, one classic
/// cross-reference table, trailer). Everything is deterministic: objects are numbered in the order they
/// are added and the file identifier (/ID, § 14.4) is derived from the body's bytes, so the same
/// inputs give the same file. Objects go to the output through a small buffer; large stream data
/// (the scans) is written straight from where it lies.
/// </summary>
internal sealed class PdfBuilder : IObjectSink
{
    private const int FlushThreshold = 64 * 1024;
    private readonly List<PdfObject?> _objects = [];

    public PdfReference Reserve()
    {
        _objects.Add(null);
        return new PdfReference(_objects.Count, 0);
    }

    public PdfReference Add(PdfObject obj)
    {
        var reference = Reserve();
        Set(reference, obj);
        return reference;
    }

    public void Set(PdfReference reference, PdfObject obj) => _objects[reference.ObjectNumber - 1] = obj;

    public void Write(PdfReference catalog, PdfReference info, Stream output)
    {
        if (_objects.Any(o => o is null)) throw new InvalidOperationException("A reserved object was never given content");
        var buffer = new ArrayBufferWriter<byte>(2 * FlushThreshold);
        var serializer = new PdfSerializer(buffer);
        using var body = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long flushed = 0;
        void Send(ReadOnlySpan<byte> bytes)
        {
            body.AppendData(bytes);
            output.Write(bytes);
            flushed += bytes.Length;
        }
        void Flush()
        {
            Send(buffer.WrittenSpan);
            buffer.ResetWrittenCount();
        }

        // A binary comment line after the header tells transfer tools the file is binary (§ 7.5.2).
        serializer.WriteAscii("%PDF-1.7\n");
        serializer.WriteRaw([(byte)'%', 0xE2, 0xE3, 0xCF, 0xD3, (byte)'\n']);
        var offsets = new long[_objects.Count];
        for (var i = 0; i < _objects.Count; i++)
        {
            offsets[i] = flushed + serializer.Position;
            serializer.WriteAscii(string.Create(CultureInfo.InvariantCulture, $"{i + 1} 0 obj\n"));
            if (_objects[i] is PdfStream { EncodedData.Length: > FlushThreshold } large)
            {
                serializer.WriteStreamStart(large);
                Flush();
                Send(large.EncodedData.Span);
                serializer.WriteStreamEnd();
            }
            else serializer.Write(_objects[i]!);
            serializer.WriteAscii("\nendobj\n");
            if (buffer.WrittenCount > FlushThreshold) Flush();
        }
        Flush();
        var id = body.GetHashAndReset()[..16];
        var xref = flushed;
        serializer.WriteAscii(string.Create(CultureInfo.InvariantCulture, $"xref\n0 {_objects.Count + 1}\n0000000000 65535 f\r\n"));
        foreach (var offset in offsets) serializer.WriteAscii(string.Create(CultureInfo.InvariantCulture, $"{offset:D10} 00000 n\r\n"));
        serializer.WriteAscii("trailer\n");
        serializer.Write(new PdfDictionary()
            .Set("Size", new PdfInteger(_objects.Count + 1))
            .Set("Root", catalog)
            .Set("Info", info)
            .Set("ID", new PdfArray([new PdfString(id, isHex: true), new PdfString(id, isHex: true)])));
        serializer.WriteAscii(string.Create(CultureInfo.InvariantCulture, $"\nstartxref\n{xref}\n%%EOF\n"));
        output.Write(buffer.WrittenSpan);
    }
}
