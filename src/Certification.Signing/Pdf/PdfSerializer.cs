using System.Buffers;
using System.Globalization;
using System.Text;

namespace Certification.Signing.Pdf;

/// <summary>Writes PDF objects in their canonical textual form (ISO 32000-1 § 7.3) and records where
/// each <see cref="PdfPlaceholder"/> was written.</summary>
public sealed class PdfSerializer(ArrayBufferWriter<byte> output)
{
    private readonly Dictionary<PdfPlaceholder, long> _placeholderPositions = [];

    public ArrayBufferWriter<byte> Output { get; } = output;

    public long Position => Output.WrittenCount;

    /// <summary>Offset of each placeholder relative to the start of <see cref="Output"/>.</summary>
    public IReadOnlyDictionary<PdfPlaceholder, long> PlaceholderPositions => _placeholderPositions;

    public static byte[] ToBytes(PdfObject obj)
    {
        var buffer = new ArrayBufferWriter<byte>();
        new PdfSerializer(buffer).Write(obj);
        return buffer.WrittenSpan.ToArray();
    }

    public void WriteRaw(ReadOnlySpan<byte> bytes) => Output.Write(bytes);

    public void WriteAscii(string text)
    {
        var span = Output.GetSpan(text.Length);
        for (var i = 0; i < text.Length; i++) span[i] = (byte)text[i];
        Output.Advance(text.Length);
    }

    /// <summary>A stream's dictionary (with its /Length) and the <c>stream</c> keyword (ISO 32000-1 § 7.3.8):
    /// what precedes the data, for writers that send large data on their own.</summary>
    public void WriteStreamStart(PdfStream stream)
    {
        Write(new PdfDictionary(stream.Dictionary).Set("Length", new PdfInteger(stream.EncodedData.Length)));
        WriteAscii("\nstream\n");
    }

    public void WriteStreamEnd() => WriteAscii("\nendstream");

    public void Write(PdfObject obj)
    {
        switch (obj)
        {
            case PdfNull: WriteAscii("null"); break;
            case PdfBoolean b: WriteAscii(b.Value ? "true" : "false"); break;
            case PdfInteger i: WriteAscii(i.Value.ToString(CultureInfo.InvariantCulture)); break;
            case PdfReal r: WriteAscii(r.Text); break;
            case PdfName n: WriteName(n.Value); break;
            case PdfString s: WriteString(s); break;
            case PdfReference r: WriteAscii($"{r.ObjectNumber} {r.Generation} R"); break;
            case PdfArray a:
                WriteAscii("[");
                for (var i = 0; i < a.Count; i++)
                {
                    if (i > 0) WriteAscii(" ");
                    Write(a[i]);
                }
                WriteAscii("]");
                break;
            case PdfDictionary d:
                WriteAscii("<<");
                foreach (var (key, value) in d.Entries)
                {
                    WriteName(key);
                    WriteAscii(" ");
                    Write(value);
                }
                WriteAscii(">>");
                break;
            case PdfStream s:
                WriteStreamStart(s);
                WriteRaw(s.EncodedData.Span);
                WriteStreamEnd();
                break;
            case PdfPlaceholder p:
                _placeholderPositions[p] = Position;
                WriteRaw(p.Bytes);
                break;
            default:
                throw new InvalidOperationException($"Cannot serialise {obj.GetType().Name}");
        }
    }

    private void WriteName(string name)
    {
        WriteAscii("/");
        foreach (var b in Encoding.UTF8.GetBytes(name))
        {
            if (b < 0x21 || b > 0x7E || b == '#' || PdfLexer.IsDelimiter(b)) WriteAscii($"#{b:X2}");
            else Output.Write([b]);
        }
    }

    private void WriteString(PdfString s)
    {
        if (s.IsHex)
        {
            WriteAscii("<");
            WriteAscii(Convert.ToHexString(s.Bytes));
            WriteAscii(">");
            return;
        }
        WriteAscii("(");
        foreach (var b in s.Bytes)
        {
            switch (b)
            {
                case (byte)'(' or (byte)')' or (byte)'\\': Output.Write([(byte)'\\', b]); break;
                case (byte)'\r': WriteAscii("\\r"); break;
                case (byte)'\n': WriteAscii("\\n"); break;
                default: Output.Write([b]); break;
            }
        }
        WriteAscii(")");
    }
}
