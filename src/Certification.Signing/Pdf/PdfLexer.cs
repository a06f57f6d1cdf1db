using System.Globalization;
using System.Text;

namespace Certification.Signing.Pdf;

/// <summary>Parses direct objects from bytes (ISO 32000-1 § 7.2 lexical conventions, § 7.3 objects).</summary>
public sealed class PdfLexer(ReadOnlyMemory<byte> data, PdfReadLimits? limits = null)
{
    private readonly PdfReadLimits _limits = limits ?? PdfReadLimits.Default;

    public ReadOnlyMemory<byte> Data { get; } = data;
    public int Position { get; set; }

    public static bool IsWhitespace(byte b) => b is 0 or 9 or 10 or 12 or 13 or 32;
    public static bool IsDelimiter(byte b) => b is (byte)'(' or (byte)')' or (byte)'<' or (byte)'>' or (byte)'[' or (byte)']' or (byte)'{' or (byte)'}' or (byte)'/' or (byte)'%';
    public static bool IsRegular(byte b) => !IsWhitespace(b) && !IsDelimiter(b);

    public bool AtEnd => Position >= Data.Length;

    public void SkipWhitespaceAndComments()
    {
        var span = Data.Span;
        while (Position < span.Length)
        {
            var b = span[Position];
            if (IsWhitespace(b)) Position++;
            else if (b == '%')
            {
                while (Position < span.Length && span[Position] != '\n' && span[Position] != '\r') Position++;
            }
            else break;
        }
    }

    /// <summary>Reads a keyword or number token made of regular characters.</summary>
    public string ReadToken()
    {
        SkipWhitespaceAndComments();
        var span = Data.Span;
        var start = Position;
        while (Position < span.Length && IsRegular(span[Position])) Position++;
        return Encoding.Latin1.GetString(span[start..Position]);
    }

    public bool TryReadKeyword(string keyword)
    {
        var save = Position;
        if (ReadToken() == keyword) return true;
        Position = save;
        return false;
    }

    public void ExpectKeyword(string keyword)
    {
        var at = Position;
        var token = ReadToken();
        if (token != keyword) throw new PdfFormatException($"Expected '{keyword}' but found '{Truncate(token)}'", at);
    }

    /// <summary>Reads "N G obj" and returns the id, or null when the bytes there are not an object header.</summary>
    public ObjectId? TryReadObjectHeader()
    {
        var save = Position;
        if (long.TryParse(ReadToken(), NumberStyles.None, CultureInfo.InvariantCulture, out var number) &&
            int.TryParse(ReadToken(), NumberStyles.None, CultureInfo.InvariantCulture, out var generation) &&
            ReadToken() == "obj" && number <= int.MaxValue)
        {
            return new ObjectId((int)number, generation);
        }
        Position = save;
        return null;
    }

    public PdfObject ReadObject() => ReadObject(0);

    private PdfObject ReadObject(int depth)
    {
        if (depth > _limits.MaxNestingDepth) throw new PdfFormatException($"Objects nested deeper than {_limits.MaxNestingDepth} levels", Position);
        SkipWhitespaceAndComments();
        if (AtEnd) throw new PdfFormatException("Unexpected end of file while reading an object", Position);
        var span = Data.Span;
        var b = span[Position];
        switch (b)
        {
            case (byte)'/':
                Position++;
                return new PdfName(ReadNameBody());
            case (byte)'(':
                Position++;
                return new PdfString(ReadLiteralStringBody());
            case (byte)'[':
            {
                Position++;
                var array = new PdfArray();
                while (true)
                {
                    SkipWhitespaceAndComments();
                    if (AtEnd) throw new PdfFormatException("Unterminated array", Position);
                    if (Data.Span[Position] == ']') { Position++; return array; }
                    if (array.Count >= _limits.MaxCollectionItems) throw new PdfFormatException("Array has too many elements", Position);
                    array.Add(ReadObject(depth + 1));
                }
            }
            case (byte)'<' when Position + 1 < span.Length && span[Position + 1] == '<':
            {
                Position += 2;
                var dict = new PdfDictionary();
                while (true)
                {
                    SkipWhitespaceAndComments();
                    if (AtEnd) throw new PdfFormatException("Unterminated dictionary", Position);
                    var c = Data.Span[Position];
                    if (c == '>' && Position + 1 < Data.Length && Data.Span[Position + 1] == '>') { Position += 2; return dict; }
                    if (c != '/') throw new PdfFormatException("Dictionary key is not a name", Position);
                    Position++;
                    var key = ReadNameBody();
                    var value = ReadObject(depth + 1);
                    if (dict.Count >= _limits.MaxCollectionItems) throw new PdfFormatException("Dictionary has too many entries", Position);
                    // A null value is equivalent to an absent entry (§ 7.3.7).
                    if (value is not PdfNull) dict[key] = value;
                }
            }
            case (byte)'<':
                Position++;
                return new PdfString(ReadHexStringBody(), isHex: true);
            default:
                return ReadNumberKeywordOrReference();
        }
    }

    private PdfObject ReadNumberKeywordOrReference()
    {
        var at = Position;
        var token = ReadToken();
        if (token.Length == 0) throw new PdfFormatException($"Unexpected character '{(char)Data.Span[Position]}'", Position);
        switch (token)
        {
            case "true": return PdfBoolean.True;
            case "false": return PdfBoolean.False;
            case "null": return PdfNull.Instance;
        }
        if (long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            // "N G R" is a reference; look ahead without consuming anything else.
            if (integer >= 0 && integer <= int.MaxValue)
            {
                var save = Position;
                var second = ReadToken();
                if (int.TryParse(second, NumberStyles.None, CultureInfo.InvariantCulture, out var generation) && ReadToken() == "R")
                    return new PdfReference((int)integer, generation);
                Position = save;
            }
            return new PdfInteger(integer);
        }
        if (double.TryParse(token, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var real))
            return new PdfReal(real, token);
        throw new PdfFormatException($"Unexpected token '{Truncate(token)}'", at);
    }

    private string ReadNameBody()
    {
        var span = Data.Span;
        var bytes = new List<byte>();
        while (Position < span.Length && IsRegular(span[Position]))
        {
            var b = span[Position++];
            if (b == '#' && Position + 1 < span.Length && IsHex(span[Position]) && IsHex(span[Position + 1]))
            {
                bytes.Add((byte)(HexValue(span[Position]) << 4 | HexValue(span[Position + 1])));
                Position += 2;
            }
            else bytes.Add(b);
        }
        // Names are byte sequences; UTF-8 is the recommended interpretation (§ 7.3.5).
        return Encoding.UTF8.GetString([.. bytes]);
    }

    private byte[] ReadLiteralStringBody()
    {
        var span = Data.Span;
        var output = new List<byte>();
        var depth = 1;
        while (true)
        {
            if (Position >= span.Length) throw new PdfFormatException("Unterminated string", Position);
            var b = span[Position++];
            if (b == '\\')
            {
                if (Position >= span.Length) throw new PdfFormatException("Unterminated string", Position);
                var e = span[Position++];
                switch (e)
                {
                    case (byte)'n': output.Add(10); break;
                    case (byte)'r': output.Add(13); break;
                    case (byte)'t': output.Add(9); break;
                    case (byte)'b': output.Add(8); break;
                    case (byte)'f': output.Add(12); break;
                    case (byte)'\r':
                        if (Position < span.Length && span[Position] == '\n') Position++;
                        break;
                    case (byte)'\n': break;
                    case >= (byte)'0' and <= (byte)'7':
                    {
                        var value = e - '0';
                        for (var i = 0; i < 2 && Position < span.Length && span[Position] is >= (byte)'0' and <= (byte)'7'; i++)
                            value = value * 8 + (span[Position++] - '0');
                        output.Add((byte)value);
                        break;
                    }
                    default: output.Add(e); break;
                }
            }
            else if (b == '(') { depth++; output.Add(b); }
            else if (b == ')')
            {
                if (--depth == 0) return [.. output];
                output.Add(b);
            }
            else output.Add(b);
        }
    }

    private byte[] ReadHexStringBody()
    {
        var span = Data.Span;
        var output = new List<byte>();
        int high = -1;
        while (true)
        {
            if (Position >= span.Length) throw new PdfFormatException("Unterminated hex string", Position);
            var b = span[Position++];
            if (b == '>') break;
            if (IsWhitespace(b)) continue;
            if (!IsHex(b)) throw new PdfFormatException("Invalid character in hex string", Position - 1);
            if (high < 0) high = HexValue(b);
            else { output.Add((byte)(high << 4 | HexValue(b))); high = -1; }
        }
        if (high >= 0) output.Add((byte)(high << 4));
        return [.. output];
    }

    public static bool IsHex(byte b) => b is >= (byte)'0' and <= (byte)'9' or >= (byte)'a' and <= (byte)'f' or >= (byte)'A' and <= (byte)'F';
    public static int HexValue(byte b) => b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;

    private static string Truncate(string s) => s.Length > 40 ? s[..40] + "…" : s;
}
