using Certification.Signing.Pdf;

namespace Certification.Signing.Documents;

/// <summary>
/// Intake of a scanned PDF with the project's own reader (bounded by <see cref="PdfReadLimits"/>): refuses
/// encryption, active content (ISO 32000-1 § 12.6 actions, § 12.6.4.16 JavaScript, § 7.11.4 embedded
/// files, § 12.7 forms, multimedia annotations) and pages without a raster image (not a scan), and reads
/// each page's visible box, rotation and effective resolution.
/// </summary>
internal static class PdfScanInspector
{
    private static readonly HashSet<string> ActiveAnnotations = ["Widget", "Screen", "Movie", "Sound", "RichMedia", "FileAttachment", "3D"];
    private static readonly HashSet<string> ActiveActions = ["JavaScript", "Launch", "SubmitForm", "ImportData", "ResetForm", "Rendition", "GoToE", "GoToR", "RichMediaExecute", "Hide", "Movie", "Sound"];

    public static IReadOnlyList<ScanPage> Inspect(ReadOnlyMemory<byte> content, string name, int fileIndex, IntakeLimits limits, int pagesLeft)
    {
        PdfFile file;
        try
        {
            file = PdfFile.Open(content);
        }
        catch (Exception e) when (e is PdfFormatException or ArgumentException or IndexOutOfRangeException or InvalidOperationException or FormatException or OverflowException)
        {
            throw Unreadable(content, e.Message);
        }
        if (file.IsEncrypted)
            throw new ScanProblem(ScanRejection.EncryptedPdf, "tệp PDF được đặt mật khẩu/mã hoá", "PDF is password-protected/encrypted");
        if (file.IsReconstructed) throw Unreadable(content, "damaged cross-reference table");

        try
        {
            var active = FindActiveContent(file);
            if (active.Count > 0)
                throw new ScanProblem(ScanRejection.ActivePdfContent,
                    $"tệp PDF chứa JavaScript/nội dung chủ động ({string.Join(", ", active)})",
                    $"PDF contains JavaScript/active content ({string.Join(", ", active)})");

            var references = file.GetPageReferences();
            if (references.Count == 0) throw new ScanProblem(ScanRejection.NoPages, "tệp PDF không có trang nào", "PDF has no pages");
            if (references.Count > pagesLeft)
                throw new ScanProblem(ScanRejection.TooManyPages, $"tệp PDF có {references.Count} trang, quá giới hạn",
                    $"PDF has {references.Count} pages, more than the limit");
            var pages = new List<ScanPage>();
            var withoutImages = 0;
            for (var i = 0; i < references.Count; i++)
            {
                var page = file.Resolve(references[i]) as PdfDictionary ?? throw Unreadable(content, $"page {i + 1} is not a dictionary");
                var resources = Inherited(file, page, "Resources") as PdfDictionary ?? new PdfDictionary();
                var mediaBox = Box(file, Inherited(file, page, "MediaBox")) ?? [0, 0, 612, 792];
                var cropBox = Box(file, Inherited(file, page, "CropBox"));
                var rotate = Inherited(file, page, "Rotate") is PdfInteger r ? (int)(((r.Value % 360) + 360) % 360) : 0;
                if (rotate % 90 != 0) rotate = 0;
                var source = new PdfPageSource(file, references[i], resources, mediaBox, cropBox, rotate);
                var box = source.VisibleBox;
                double boxW = Math.Abs(box[2] - box[0]), boxH = Math.Abs(box[3] - box[1]);
                if (boxW < 1 || boxH < 1) throw Unreadable(content, $"page {i + 1} has an empty page box");
                var (displayW, displayH) = rotate is 90 or 270 ? (boxH, boxW) : (boxW, boxH);

                var largest = LargestImage(file, resources, limits);
                double dpiX = 0, dpiY = 0;
                if (largest is { } image)
                {
                    // The image is taken to fill the page (what scanners write); pick the pairing of
                    // sides that gives the image square pixels.
                    double ax = image.W / (boxW / 72), ay = image.H / (boxH / 72), bx = image.W / (boxH / 72), by = image.H / (boxW / 72);
                    (dpiX, dpiY) = Math.Abs(Math.Log(ax / ay)) <= Math.Abs(Math.Log(bx / by)) ? (ax, ay) : (bx, by);
                    ScanIntake.CheckDpi(Math.Min(dpiX, dpiY), limits);
                }
                else withoutImages++;
                pages.Add(new ScanPage
                {
                    FileName = name,
                    FileIndex = fileIndex,
                    PageInFile = i,
                    Format = ScanFormat.Pdf,
                    PixelWidth = largest?.W ?? 0,
                    PixelHeight = largest?.H ?? 0,
                    DpiX = dpiX,
                    DpiY = dpiY,
                    WidthPoints = displayW,
                    HeightPoints = displayH,
                    Content = content,
                    Pdf = source,
                });
            }
            if (withoutImages > 0 && !limits.AllowNonScanPdf)
                throw new ScanProblem(ScanRejection.NotAScan,
                    $"tệp PDF không phải bản quét: {withoutImages}/{references.Count} trang không có ảnh quét (tài liệu tạo trực tiếp trên máy)",
                    $"PDF has no scanned page images on {withoutImages} of {references.Count} pages (born-digital document)");
            return pages;
        }
        catch (PdfFormatException e)
        {
            throw Unreadable(content, e.Message);
        }
    }

    /// <summary>Names of the active features found: "OpenAction", "Names/JavaScript", "AA", ...</summary>
    private static List<string> FindActiveContent(PdfFile file)
    {
        var found = new SortedSet<string>(StringComparer.Ordinal);
        var catalog = file.Catalog;
        if (file.Resolve(catalog["OpenAction"]) is PdfDictionary) found.Add("OpenAction");
        if (catalog.ContainsKey("AA")) found.Add("AA");
        if (file.Get<PdfDictionary>(catalog, "Names") is { } names)
        {
            if (names.ContainsKey("JavaScript")) found.Add("Names/JavaScript");
            if (names.ContainsKey("EmbeddedFiles")) found.Add("Names/EmbeddedFiles");
        }
        if (file.Get<PdfDictionary>(catalog, "AcroForm") is { } form)
        {
            if (form.ContainsKey("XFA")) found.Add("AcroForm/XFA");
            if (file.Get<PdfArray>(form, "Fields") is { Count: > 0 }) found.Add("AcroForm");
        }
        // Every object, so actions nested anywhere (annotations, outlines, next-actions) are seen.
        var numbers = file.Revisions.SelectMany(r => r.DefinedObjects).Distinct().Take(file.Limits.MaxObjects);
        foreach (var number in numbers)
        {
            var obj = file.GetObject(number);
            var dict = obj as PdfDictionary ?? (obj as PdfStream)?.Dictionary;
            if (dict is null) continue;
            if (dict.ContainsKey("JS")) found.Add("JavaScript");
            if (dict.ContainsKey("AA")) found.Add("AA");
            if (dict.GetName("S") is { } s && ActiveActions.Contains(s) && (dict.GetName("Type") is null or "Action")) found.Add(s);
            if (dict.GetName("Type") == "Annot" || dict.ContainsKey("Subtype") && dict.ContainsKey("Rect"))
            {
                if (dict.GetName("Subtype") is { } subtype && ActiveAnnotations.Contains(subtype)) found.Add($"Annot/{subtype}");
                if (file.Resolve(dict["A"]) is PdfDictionary action && action.GetName("S") is { } a && ActiveActions.Contains(a)) found.Add(a);
            }
            if (dict.GetName("Type") == "EmbeddedFile") found.Add("EmbeddedFile");
        }
        return [.. found];
    }

    private static PdfObject? Inherited(PdfFile file, PdfDictionary page, string key)
    {
        var node = page;
        for (var depth = 0; node is not null && depth < 64; depth++)
        {
            if (node[key] is { } value) return file.Resolve(value);
            node = file.Resolve(node["Parent"]) as PdfDictionary;
        }
        return null;
    }

    private static double[]? Box(PdfFile file, PdfObject? obj)
    {
        if (obj is not PdfArray { Count: 4 } array) return null;
        var values = new double[4];
        for (var i = 0; i < 4; i++)
        {
            values[i] = file.Resolve(array[i]) switch
            {
                PdfInteger n => n.Value,
                PdfReal r => r.Value,
                _ => double.NaN,
            };
            if (double.IsNaN(values[i])) return null;
        }
        return [Math.Min(values[0], values[2]), Math.Min(values[1], values[3]), Math.Max(values[0], values[2]), Math.Max(values[1], values[3])];
    }

    /// <summary>The largest image XObject a page draws (directly or through form XObjects), after
    /// checking every image's pixel count against the limit.</summary>
    private static (int W, int H)? LargestImage(PdfFile file, PdfDictionary resources, IntakeLimits limits)
    {
        (int W, int H)? best = null;
        var visited = new HashSet<int>();
        Visit(resources, 0);
        return best;

        void Visit(PdfDictionary res, int depth)
        {
            if (depth > 8 || file.Get<PdfDictionary>(res, "XObject") is not { } xobjects) return;
            foreach (var (_, value) in xobjects.Entries)
            {
                if (value is PdfReference r && !visited.Add(r.ObjectNumber)) continue;
                if (file.Resolve(value) is not PdfStream stream) continue;
                var d = stream.Dictionary;
                if (d.GetName("Subtype") == "Image")
                {
                    long w = (file.Resolve(d["Width"]) as PdfInteger)?.Value ?? 0, h = (file.Resolve(d["Height"]) as PdfInteger)?.Value ?? 0;
                    if (w <= 0 || h <= 0 || d.ContainsKey("ImageMask") && file.Resolve(d["ImageMask"]) is PdfBoolean { Value: true }) continue;
                    new ScanIntake(limits).CheckPixels(w, h);
                    if (best is null || w * h > (long)best.Value.W * best.Value.H) best = ((int)w, (int)h);
                }
                else if (d.GetName("Subtype") == "Form" && file.Get<PdfDictionary>(d, "Resources") is { } inner)
                {
                    Visit(inner, depth + 1);
                }
            }
        }
    }

    private static ScanProblem Unreadable(ReadOnlyMemory<byte> content, string detail)
    {
        var tail = content.Span[Math.Max(0, content.Length - 1024)..];
        return tail.IndexOf("%%EOF"u8) < 0
            ? new ScanProblem(ScanRejection.Truncated, $"tệp PDF bị cắt cụt ({detail})", $"PDF is truncated ({detail})")
            : new ScanProblem(ScanRejection.Corrupt, $"tệp PDF bị hỏng ({detail})", $"PDF is corrupt ({detail})");
    }
}
