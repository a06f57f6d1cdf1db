namespace Certification.Signing.Pdf;

/// <summary>The bytes are not a PDF we can read safely. The message says where and why.</summary>
public sealed class PdfFormatException(string message, long offset = -1) : Exception(offset >= 0 ? $"{message} (at byte {offset})" : message)
{
    public long Offset { get; } = offset;
}
