namespace Certification.Signing.Documents.Reading;

/// <summary>
/// Reads accepted scan pages for the officer: the quality gate and fingerprint of every page
/// (<see cref="ScanQualityGate"/>), and proposals for the form from the first pages' text (<see cref="TesseractOcr"/>,
/// <see cref="ProposalReader"/>). Nothing here changes what is certified: the copy is composed from the uploaded
/// images, and proposals only pre-fill a form the officer confirms.
/// </summary>
public sealed class ScanReader(ScanQualityGate gate, TesseractOcr ocr, ProposalReader proposals)
{
    public ScanQualityGate Gate => gate;
    public TesseractOcr Ocr => ocr;

    /// <summary>The gate's measures of each page, in order (null for a page that is not decoded for reading: a scanned PDF's).</summary>
    public IReadOnlyList<PageQuality?> Examine(IReadOnlyList<ScanPage> pages) =>
        pages.Select((page, i) => gate.Examine(page, i + 1)).ToList();

    /// <summary>Proposals from the text of the first <see cref="OcrOptions.MaxPages"/> decodable pages.</summary>
    public async Task<ScanProposals> ProposeAsync(IReadOnlyList<ScanPage> pages, DateOnly today, CancellationToken ct)
    {
        var read = new List<OcrPage>();
        for (var i = 0; i < pages.Count && read.Count < ocr.Options.MaxPages; i++)
        {
            if (!PageRaster.CanDecode(pages[i])) continue;
            var raster = await Task.Run(() => PageRaster.Decode(pages[i], ocr.Options.Dpi), ct);
            read.Add(await ocr.ReadAsync(raster, i + 1, ct));
        }
        return proposals.Read(read, today);
    }
}
