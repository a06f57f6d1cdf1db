using System.Globalization;
using System.Text;

namespace Certification.Signing.Pdf;

/// <summary>A direct PDF object (ISO 32000-1 § 7.3). Instances are immutable except
/// <see cref="PdfArray"/> and <see cref="PdfDictionary"/>, which are built up while parsing and
/// copied before they are changed for an incremental update.</summary>
public abstract class PdfObject
{
    /// <summary>The value of an integer or real number (both are numbers, § 7.3.3), else null.</summary>
    public double? AsNumber() => this switch
    {
        PdfInteger i => i.Value,
        PdfReal r => r.Value,
        _ => null,
    };

    public override string ToString() => Encoding.Latin1.GetString(PdfSerializer.ToBytes(this));
}

public sealed class PdfNull : PdfObject
{
    public static readonly PdfNull Instance = new();
    private PdfNull() { }
}

public sealed class PdfBoolean(bool value) : PdfObject
{
    public static readonly PdfBoolean True = new(true), False = new(false);
    public bool Value { get; } = value;
}

public sealed class PdfInteger(long value) : PdfObject
{
    public long Value { get; } = value;
}

/// <summary>A real number; the source text is kept so rewriting an object never changes its digits.</summary>
public sealed class PdfReal : PdfObject
{
    public PdfReal(double value, string? text = null)
    {
        Value = value;
        Text = text ?? FormatReal(value);
    }

    public double Value { get; }
    public string Text { get; }

    private static string FormatReal(double value)
    {
        var text = Math.Round(value, 4).ToString("0.####", CultureInfo.InvariantCulture);
        return text == "-0" ? "0" : text;
    }
}

/// <summary>A string object; <see cref="Bytes"/> are the decoded bytes, <see cref="IsHex"/> only records how it was written.</summary>
public sealed class PdfString(byte[] bytes, bool isHex = false) : PdfObject
{
    public byte[] Bytes { get; } = bytes;
    public bool IsHex { get; } = isHex;

    /// <summary>A text string (§ 7.9.2.2): UTF-16BE with a byte order mark unless it is plain ASCII.</summary>
    public static PdfString FromText(string text)
    {
        text = text.Normalize(NormalizationForm.FormC);
        if (text.All(c => c < 128)) return new PdfString(Encoding.ASCII.GetBytes(text));
        var utf16 = Encoding.BigEndianUnicode.GetBytes(text);
        var bytes = new byte[utf16.Length + 2];
        bytes[0] = 0xFE; bytes[1] = 0xFF;
        utf16.CopyTo(bytes, 2);
        return new PdfString(bytes, isHex: true);
    }

    /// <summary>Decodes a text string: UTF-16BE with BOM, UTF-8 with BOM (PDF 2.0), else PDFDocEncoding (approximated by Latin-1).</summary>
    public string ToText()
    {
        var b = Bytes;
        if (b.Length >= 2 && b[0] == 0xFE && b[1] == 0xFF) return Encoding.BigEndianUnicode.GetString(b, 2, b.Length - 2);
        if (b.Length >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF) return Encoding.UTF8.GetString(b, 3, b.Length - 3);
        return Encoding.Latin1.GetString(b);
    }
}

public sealed class PdfName : PdfObject, IEquatable<PdfName>
{
    public PdfName(string value) => Value = value;
    public string Value { get; }
    public bool Equals(PdfName? other) => other is not null && other.Value == Value;
    public override bool Equals(object? obj) => obj is PdfName n && Equals(n);
    public override int GetHashCode() => Value.GetHashCode(StringComparison.Ordinal);
    public static implicit operator PdfName(string value) => new(value);
}

public sealed class PdfArray : PdfObject
{
    public PdfArray() => Items = [];
    public PdfArray(IEnumerable<PdfObject> items) => Items = [.. items];
    public List<PdfObject> Items { get; }
    public int Count => Items.Count;
    public PdfObject this[int index] => Items[index];
    public void Add(PdfObject item) => Items.Add(item);
}

/// <summary>A dictionary that keeps key order, so rewritten objects read like their originals.</summary>
public sealed class PdfDictionary : PdfObject
{
    private readonly List<KeyValuePair<string, PdfObject>> _entries = [];

    public PdfDictionary() { }

    public PdfDictionary(PdfDictionary source) => _entries.AddRange(source._entries);

    public IReadOnlyList<KeyValuePair<string, PdfObject>> Entries => _entries;
    public int Count => _entries.Count;
    public IEnumerable<string> Keys => _entries.Select(e => e.Key);

    public PdfObject? this[string key]
    {
        get
        {
            foreach (var e in _entries) if (e.Key == key) return e.Value;
            return null;
        }
        set
        {
            var i = _entries.FindIndex(e => e.Key == key);
            if (value is null)
            {
                if (i >= 0) _entries.RemoveAt(i);
            }
            else if (i >= 0) _entries[i] = new(key, value);
            else _entries.Add(new(key, value));
        }
    }

    public bool ContainsKey(string key) => _entries.Exists(e => e.Key == key);

    public PdfDictionary Set(string key, PdfObject value)
    {
        this[key] = value;
        return this;
    }

    public string? GetName(string key) => (this[key] as PdfName)?.Value;
}

/// <summary>A stream: its dictionary and the encoded bytes exactly as stored in the file.</summary>
public sealed class PdfStream(PdfDictionary dictionary, ReadOnlyMemory<byte> encodedData) : PdfObject
{
    public PdfDictionary Dictionary { get; } = dictionary;
    public ReadOnlyMemory<byte> EncodedData { get; } = encodedData;
}

public sealed class PdfReference(int objectNumber, int generation) : PdfObject, IEquatable<PdfReference>
{
    public int ObjectNumber { get; } = objectNumber;
    public int Generation { get; } = generation;
    public ObjectId Id => new(ObjectNumber, Generation);
    public bool Equals(PdfReference? other) => other is not null && other.ObjectNumber == ObjectNumber && other.Generation == Generation;
    public override bool Equals(object? obj) => obj is PdfReference r && Equals(r);
    public override int GetHashCode() => HashCode.Combine(ObjectNumber, Generation);
}

/// <summary>Identifies an indirect object (§ 7.3.10).</summary>
public readonly record struct ObjectId(int Number, int Generation)
{
    public override string ToString() => $"{Number} {Generation} R";
}

/// <summary>Bytes written verbatim; the serializer records where they land, so a signature's
/// /ByteRange and /Contents can be filled in after the revision has been laid out.</summary>
public sealed class PdfPlaceholder(byte[] bytes) : PdfObject
{
    public byte[] Bytes { get; } = bytes;
}
