using System.Security;
using System.Text;
using Certification.Signing.Pades;
using Certification.Signing.Pdf;
using Certification.Signing.Pdf.Writing;

namespace Certification.Signing.Documents;

/// <summary>What composition decided about a certified copy: the fee, the page count and where the signatures go.</summary>
/// <param name="PageCount">Pages of the original (what the fee counts, Circular 226/2016).</param>
/// <param name="CertifierStamp">Where the certifier's signature goes (in the statement block).</param>
/// <param name="SealStamp">Where the office seal signature goes, under it.</param>
public sealed record CopyLayout(int PageCount, long Fee, SignatureAppearance CertifierStamp, SignatureAppearance SealStamp)
{
    /// <summary>Pages of the PDF: the original's pages plus the appended statement page, if any.</summary>
    public int TotalPages { get; init; }

    /// <summary>True when the statement did not fit on blank paper of the last page and has its own page.</summary>
    public bool StatementOnAppendedPage { get; init; }

    /// <summary>True when the XMP claims PDF/A-2b (see docs/certified-copy.md for what is checked).</summary>
    public bool ClaimsPdfA { get; init; }
}

/// <summary>What composition decides before the certification number is known: the scans inspected, their page
/// images (the last one's statement band decoded) and where the statement goes. The number only fills a line of the
/// statement and the footers, so a service plans outside the book's critical section and composes inside it.</summary>
public sealed class CopyPlan
{
    internal CopyPlan() { }

    internal IReadOnlyList<ScanFile> Scans { get; init; } = [];
    internal IReadOnlyList<ScanPage> Pages { get; init; } = [];
    internal PageImage?[] Images { get; init; } = [];
    internal StatementPlacement? OnLast { get; init; }
    internal double BlockHeight { get; init; }
    internal long Fee { get; init; }
}

/// <summary>The composed, not yet signed, certified copy.</summary>
public sealed record ComposedCopy(byte[] Pdf, CopyLayout Layout);

/// <summary>
/// Composes the certified copy: one page per scan page at 100 % scale (page size from the scan's
/// resolution), the scan embedded without recompression where the format allows, a footer binding each
/// page to the certification number, a QR code and lookup code on the first and last page, the
/// certification statement on the last page when its paper is blank there (else on an appended page),
/// and document metadata (Info + XMP). The output is deterministic for the same scans, details and clock.
/// </summary>
public sealed class CertifiedCopyComposer(IntakeLimits? limits = null, TimeProvider? clock = null)
{
    public const string Producer = "Certification (PDFsharp 6.2.4, SkiaSharp 3.119.4, LibTiff.NET 2.4.660)";
    private const double Margin = 28;
    private static readonly double[] A4 = [595.28, 841.89];

    private readonly ScanIntake _intake = new(limits);
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    /// <summary>The checks every scan passes before composition; callers run them before taking a number.</summary>
    public ScanIntake Intake => _intake;

    public ComposedCopy Compose(IReadOnlyList<ScanFile> scans, CertificationDetails details)
    {
        using var output = new MemoryStream();
        var layout = Compose(scans, details, output);
        return new ComposedCopy(output.ToArray(), layout);
    }

    /// <summary>Composes the copy into <paramref name="output"/>, writing each scan's data straight from its
    /// buffer: a large scan set is never copied into one array.</summary>
    public CopyLayout Compose(IReadOnlyList<ScanFile> scans, CertificationDetails details, Stream output) => Compose(Plan(scans, details), details, output);

    /// <summary>Inspects the scans and decides the layout for <paramref name="details"/>; any certification number
    /// gives the same plan (its statement has as many lines).</summary>
    public CopyPlan Plan(IReadOnlyList<ScanFile> scans, CertificationDetails details)
    {
        ArgumentNullException.ThrowIfNull(details);
        using var activity = SigningActivities.Start("plan");
        details = details.Normalized();
        var pages = _intake.Inspect(scans);
        var fee = details.Fees.FeeFor(pages.Count);

        // The statement: bottom right of the last page if that paper is blank, else bottom left, else a page of its own.
        // The block plus a clearance of 14 pt must be blank paper; only that band of the last page is examined.
        const double clear = 14;
        var blockHeight = CopyOverlay.BlockHeight(details, pages.Count, fee);
        var last = pages[^1];
        var top = last.HeightPoints - Margin - 14 - blockHeight;
        var roomOnLast = last.WidthPoints >= CopyOverlay.BlockWidth + 2 * Margin && last.HeightPoints >= blockHeight + 3 * Margin + 60;
        var images = new PageImage?[pages.Count];
        for (var i = 0; i < pages.Count; i++)
        {
            images[i] = pages[i].Format == ScanFormat.Pdf ? null
                : PageImages.Create(pages[i], luminanceFrom: i == pages.Count - 1 && roomOnLast ? (top - clear) / last.HeightPoints : null);
        }
        StatementPlacement? onLast = null;
        if (roomOnLast && images[^1]?.Luminance is { } map)
        {
            foreach (var left in new[] { last.WidthPoints - Margin - CopyOverlay.BlockWidth, Margin })
            {
                if (map.IsBlank((left - clear) / last.WidthPoints, (top - clear) / last.HeightPoints,
                        (left + CopyOverlay.BlockWidth + clear) / last.WidthPoints, (top + blockHeight + clear) / last.HeightPoints))
                {
                    onLast = new StatementPlacement(left, top);
                    break;
                }
            }
        }
        return new CopyPlan { Scans = scans, Pages = pages, Images = images, OnLast = onLast, BlockHeight = blockHeight, Fee = fee };
    }

    /// <summary>Composes the copy planned by <see cref="Plan"/> with the final <paramref name="details"/> into
    /// <paramref name="output"/>; plans again should the statement's size differ from the planned one.</summary>
    public CopyLayout Compose(CopyPlan plan, CertificationDetails details, Stream output)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(details);
        using var activity = SigningActivities.Start("compose");
        details = details.Normalized();
        if (details.Fees.FeeFor(plan.Pages.Count) != plan.Fee || CopyOverlay.BlockHeight(details, plan.Pages.Count, plan.Fee) != plan.BlockHeight)
            plan = Plan(plan.Scans, details);
        var (pages, images, onLast, fee) = (plan.Pages, plan.Images, plan.OnLast, plan.Fee);
        var appended = onLast is null;
        var total = pages.Count + (appended ? 1 : 0);
        var overlays = new List<PageOverlay>(total);
        for (var i = 0; i < pages.Count; i++)
        {
            var isLast = i == pages.Count - 1;
            overlays.Add(new PageOverlay(pages[i].WidthPoints, pages[i].HeightPoints, CertificationStatement.Footer(details, i + 1, total),
                Qr: i == 0 || (isLast && !appended), Statement: isLast ? onLast : null, IsAppendedPage: false));
        }
        if (appended)
        {
            overlays.Add(new PageOverlay(A4[0], A4[1], CertificationStatement.Footer(details, total, total), Qr: true,
                new StatementPlacement(A4[0] - 72 - CopyOverlay.BlockWidth, 150), IsAppendedPage: true));
        }
        var statementPage = overlays[^1];
        var (certifierBox, sealBox) = CopyOverlay.SignatureBoxes(details, pages.Count, fee, statementPage.Statement!);
        var overlayPdf = PdfFile.Open(CopyOverlay.Render(overlays, details, pages.Count, fee));

        var claimsPdfA = pages.All(p => p.Format != ScanFormat.Pdf && p.Components is 1 or 3) && CopyMetadata.SrgbProfile() is not null;
        Write(pages, images, overlays, overlayPdf, details, claimsPdfA, output);
        SignatureAppearance Stamp(PdfSharp.Drawing.XRect box) => new()
        {
            Page = total,
            X = Math.Round(box.X, 2),
            Y = Math.Round(statementPage.Height - box.Y - box.Height, 2),
            Width = box.Width,
            Height = box.Height,
        };
        return new CopyLayout(pages.Count, fee, Stamp(certifierBox), Stamp(sealBox))
        {
            TotalPages = total,
            StatementOnAppendedPage = appended,
            ClaimsPdfA = claimsPdfA,
        };
    }

    private void Write(IReadOnlyList<ScanPage> pages, PageImage?[] images, IReadOnlyList<PageOverlay> overlays, PdfFile overlayPdf,
        CertificationDetails details, bool claimsPdfA, Stream output)
    {
        var builder = new PdfBuilder();
        var catalogRef = builder.Reserve();
        var pagesRef = builder.Reserve();
        var overlayCopier = new ObjectImporter(overlayPdf, builder, deflateUnfiltered: true, fixSubsetTags: true);
        var qr = CopyOverlay.QrModules(details);
        var overlayPages = overlayPdf.GetPageReferences();
        var copiers = new Dictionary<PdfFile, ObjectImporter>();
        var kids = new PdfArray();
        long sizeHint = 0;

        for (var i = 0; i < overlays.Count; i++)
        {
            var overlay = overlays[i];
            var form = OverlayForm(overlayPdf, overlayPages[i], overlayCopier, overlay, overlay.Qr ? CopyOverlay.QrOperators(overlay, qr) : null);
            var formRef = builder.Add(form);
            var pageRef = builder.Reserve();
            kids.Add(pageRef);
            if (i < pages.Count && pages[i].Pdf is { } source)
            {
                if (!copiers.TryGetValue(source.File, out var copier)) copiers[source.File] = copier = new ObjectImporter(source.File, builder);
                builder.Set(pageRef, ImportedPage(source, copier, builder, formRef, pagesRef));
                sizeHint += source.File.Data.Length / Math.Max(1, source.File.GetPageReferences().Count);
                continue;
            }
            var resources = new PdfDictionary();
            var xobjects = new PdfDictionary();
            var content = new StringBuilder();
            if (i < pages.Count)
            {
                var image = images[i]!;
                sizeHint += image.XObject.EncodedData.Length;
                xobjects["Scan"] = builder.Add(image.XObject);
                content.Append("q ").Append(PageGeometry.Matrix(PageGeometry.ImageMatrix(pages[i].Orientation, overlay.Width, overlay.Height)))
                    .Append(" /Scan Do Q\n");
            }
            xobjects["Certification"] = formRef;
            resources["XObject"] = xobjects;
            content.Append("q /Certification Do Q\n");
            var contentRef = builder.Add(new PdfStream(new PdfDictionary(), Encoding.ASCII.GetBytes(content.ToString())));
            builder.Set(pageRef, new PdfDictionary()
                .Set("Type", new PdfName("Page"))
                .Set("Parent", pagesRef)
                .Set("MediaBox", Numbers(0, 0, overlay.Width, overlay.Height))
                .Set("Resources", resources)
                .Set("Contents", contentRef));
        }
        builder.Set(pagesRef, new PdfDictionary()
            .Set("Type", new PdfName("Pages"))
            .Set("Kids", kids)
            .Set("Count", new PdfInteger(kids.Count)));

        var now = _clock.GetUtcNow().ToOffset(TimeSpan.FromHours(7));
        now = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, now.Second, now.Offset);
        var title = $"Bản sao chứng thực số {details.CertificationNumber} – {details.DocumentTitle}";
        var info = builder.Add(new PdfDictionary()
            .Set("Title", PdfString.FromText(title))
            .Set("Author", PdfString.FromText(details.OfficeName))
            .Set("Subject", PdfString.FromText(CertificationStatement.FormatDate(details.Date)))
            .Set("Creator", PdfString.FromText("Certification"))
            .Set("Producer", PdfString.FromText(Producer))
            .Set("CreationDate", PdfDate.ToPdfString(now))
            .Set("ModDate", PdfDate.ToPdfString(now))
            .Set("CertificationNumber", PdfString.FromText(details.CertificationNumber))
            .Set("CertificationBook", PdfString.FromText(details.Book))
            .Set("OfficeCode", PdfString.FromText(details.OfficeCode))
            .Set("LookupCode", PdfString.FromText(details.LookupCode)));
        var xmp = CopyMetadata.Xmp(details, title, now, Producer, claimsPdfA);
        var metadata = builder.Add(new PdfStream(new PdfDictionary().Set("Type", new PdfName("Metadata")).Set("Subtype", new PdfName("XML")), xmp));
        var catalog = new PdfDictionary()
            .Set("Type", new PdfName("Catalog"))
            .Set("Pages", pagesRef)
            .Set("Metadata", metadata)
            .Set("Lang", PdfString.FromText("vi-VN"))
            .Set("ViewerPreferences", new PdfDictionary().Set("DisplayDocTitle", PdfBoolean.True));
        if (CopyMetadata.SrgbProfile() is { } icc)
        {
            var profile = builder.Add(StreamEncoder.Deflated(new PdfDictionary().Set("N", new PdfInteger(3)), icc));
            catalog["OutputIntents"] = new PdfArray([new PdfDictionary()
                .Set("Type", new PdfName("OutputIntent"))
                .Set("S", new PdfName("GTS_PDFA1"))
                .Set("OutputConditionIdentifier", PdfString.FromText("sRGB IEC61966-2.1"))
                .Set("RegistryName", PdfString.FromText("http://www.color.org"))
                .Set("Info", PdfString.FromText("sRGB IEC61966-2.1"))
                .Set("DestOutputProfile", profile)]);
        }
        builder.Set(catalogRef, catalog);
        // A memory stream gets its final size up front rather than growing by doubling.
        if (output is MemoryStream { Length: 0 } memory && memory.Capacity < sizeHint + 64 * 1024) memory.Capacity = (int)Math.Min(int.MaxValue, sizeHint + 64 * 1024);
        builder.Write(catalogRef, info, output);
    }

    /// <summary>The overlay page PDFsharp drew, plus the QR code's operators when the page has one, as a form
    /// XObject in display coordinates (ISO 32000-1 § 8.10).</summary>
    private static PdfStream OverlayForm(PdfFile overlayPdf, PdfReference pageRef, ObjectImporter copier, PageOverlay overlay, string? qrOperators)
    {
        var page = (PdfDictionary)overlayPdf.Resolve(pageRef)!;
        var content = overlayPdf.Resolve(page["Contents"]) switch
        {
            PdfStream s => overlayPdf.DecodeStream(s),
            PdfArray a => a.Items.SelectMany(i => overlayPdf.DecodeStream((PdfStream)overlayPdf.Resolve(i)!).Append((byte)'\n')).ToArray(),
            _ => [],
        };
        var resources = overlayPdf.Resolve(page["Resources"]) is PdfDictionary r ? copier.ImportDictionary(r) : new PdfDictionary();
        var dict = new PdfDictionary()
            .Set("Type", new PdfName("XObject"))
            .Set("Subtype", new PdfName("Form"))
            .Set("BBox", Numbers(0, 0, overlay.Width, overlay.Height))
            .Set("Resources", resources);
        if (qrOperators is null) return StreamEncoder.Deflated(dict, content);
        // q … Q isolates whatever graphics state PDFsharp's content leaves behind from the QR operators.
        return StreamEncoder.Deflated(dict, [.. "q\n"u8, .. content, .. "\nQ\n"u8, .. Encoding.ASCII.GetBytes(qrOperators)]);
    }

    /// <summary>A page of a scanned PDF, its content streams unchanged, with the overlay drawn upright on top.
    /// Annotations, structure and thread links of the source are not carried over (the scan is the page content).</summary>
    private static PdfDictionary ImportedPage(PdfPageSource source, ObjectImporter copier, PdfBuilder builder, PdfReference overlay, PdfReference parent)
    {
        var original = (PdfDictionary)source.File.Resolve(source.Page)!;
        var page = copier.ImportDictionary(original, "Parent", "Annots", "B", "StructParents", "AA", "Resources", "MediaBox", "CropBox", "Rotate", "Contents", "Thumb", "PieceInfo");
        page["Type"] = new PdfName("Page");
        page["Parent"] = parent;
        page["MediaBox"] = Numbers(source.MediaBox);
        if (source.CropBox is { } crop) page["CropBox"] = Numbers(crop);
        if (source.Rotate != 0) page["Rotate"] = new PdfInteger(source.Rotate);
        var resources = copier.ImportDictionary(source.Resources, "XObject");
        var xobjects = source.File.Resolve(source.Resources["XObject"]) is PdfDictionary x ? copier.ImportDictionary(x) : new PdfDictionary();
        var name = "Certification";
        while (xobjects.ContainsKey(name)) name += "_";
        xobjects[name] = overlay;
        resources["XObject"] = xobjects;
        page["Resources"] = resources;

        // q … Q around the original content, so whatever state it leaves cannot move the overlay.
        var contents = new PdfArray([builder.Add(new PdfStream(new PdfDictionary(), "q\n"u8.ToArray()))]);
        switch (source.File.Resolve(original["Contents"]))
        {
            case PdfStream when original["Contents"] is PdfReference single:
                contents.Add(copier.Import(single));
                break;
            case PdfArray array:
                foreach (var item in array.Items) contents.Add(copier.Import(item));
                break;
        }
        var matrix = PageGeometry.Matrix(PageGeometry.DisplayToUser(source.Rotate, source.VisibleBox));
        contents.Add(builder.Add(new PdfStream(new PdfDictionary(), Encoding.ASCII.GetBytes($"\nQ\nq {matrix} /{name} Do Q\n"))));
        page["Contents"] = contents;
        return page;
    }

    private static PdfArray Numbers(params double[] values) =>
        new(values.Select(v => (PdfObject)new PdfReal(Math.Round(v, 4), PageGeometry.Number(v))));
}
