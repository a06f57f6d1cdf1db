using Certification.Signing.Pdf;

namespace Certification.Signing.Validation.Facts;

/// <summary>
/// Finds where the /Contents value of one signature dictionary lies in the file bytes. The /ByteRange
/// must leave out exactly that hex string (ISO 32000-1 § 12.8.1); checking the gap against the real
/// location of this dictionary's value is what defeats signature wrapping (the gap moved onto some other
/// string) and signature spoofing (a copied dictionary pointing at another signature's bytes).
/// </summary>
public static class ContentsLocator
{
    /// <summary>Offsets of '&lt;' and just past '>' of the /Contents value of the dictionary of the indirect
    /// object at <paramref name="objectOffset"/>; when a key occurs twice the last one counts, as in the reader.</summary>
    public static (long Start, long End)? Locate(PdfFile file, long objectOffset, out string? problem)
    {
        problem = null;
        try
        {
            var lexer = new PdfLexer(file.Data, file.Limits) { Position = (int)objectOffset };
            if (lexer.TryReadObjectHeader() is null) { problem = "no object header at the signature dictionary's offset"; return null; }
            lexer.SkipWhitespaceAndComments();
            var span = file.Data.Span;
            if (lexer.Position + 1 >= span.Length || span[lexer.Position] != '<' || span[lexer.Position + 1] != '<')
            {
                problem = "the signature value is not a dictionary";
                return null;
            }
            lexer.Position += 2;
            (long, long)? found = null;
            for (var count = 0; count < file.Limits.MaxCollectionItems; count++)
            {
                lexer.SkipWhitespaceAndComments();
                if (lexer.AtEnd) { problem = "unterminated signature dictionary"; return null; }
                if (span[lexer.Position] == '>' && lexer.Position + 1 < span.Length && span[lexer.Position + 1] == '>') break;
                if (lexer.ReadObject() is not PdfName key) { problem = "malformed signature dictionary"; return null; }
                lexer.SkipWhitespaceAndComments();
                var start = lexer.Position;
                lexer.ReadObject();
                if (key.Value == "Contents") found = (start, lexer.Position);
            }
            if (found is not { } f) { problem = "the signature dictionary has no /Contents"; return null; }
            if (span[(int)f.Item1] != '<' || span[(int)f.Item2 - 1] != '>' || (f.Item2 - f.Item1 >= 2 && span[(int)f.Item1 + 1] == '<'))
            {
                problem = "/Contents is not a direct hex string";
                return null;
            }
            return f;
        }
        catch (PdfFormatException e)
        {
            problem = $"the signature dictionary cannot be read: {e.Message}";
            return null;
        }
    }
}
