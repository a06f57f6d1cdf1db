namespace Certification.Signing.Pdf.Writing;

/// <summary>Where new indirect objects go: an incremental update of an existing file, or a file being built.</summary>
public interface IObjectSink
{
    /// <summary>Reserves a new object number; give it content later with <see cref="Set"/>.</summary>
    PdfReference Reserve();

    void Set(PdfReference reference, PdfObject obj);
}
