using System.Globalization;

namespace Certification.Signing.Documents.Reading;

/// <summary>
/// What a scanned page looks like to the quality gate. Measured on the page as displayed, at a fixed working
/// resolution (<see cref="ScanQualityGate.WorkingDpi"/>), so thresholds mean the same for a 200 dpi and a 600 dpi scan.
/// </summary>
public sealed record PageQuality
{
    /// <summary>1-based page of the document.</summary>
    public required int Page { get; init; }

    /// <summary>Variance of the Laplacian over the mean squared gradient, on edge pixels: it falls with the square of
    /// the blur's width, whatever the amount of text or its contrast. Sharp print measures 4–7, a 0.34 mm blur
    /// (σ = 4 px at 300 dpi) under 0.3; null for a blank page (nothing to be sharp).</summary>
    public required double? Sharpness { get; init; }

    /// <summary>Angle of the text lines, in degrees; positive when the page is turned clockwise.</summary>
    public required double SkewDegrees { get; init; }

    /// <summary>Ink touches an edge of the page along more than the configured fraction of it: content is probably cut off.</summary>
    public required bool CutOff { get; init; }

    /// <summary>The largest fraction of one edge's length that ink touches (0–1).</summary>
    public required double EdgeInk { get; init; }

    /// <summary>Mean luminance, 0 black – 1 white.</summary>
    public required double Brightness { get; init; }

    /// <summary>Michelson contrast (paper − ink) / (paper + ink) between paper (90th percentile) and ink (the darker
    /// tail of what is clearly not paper), 0–1; unlike a difference it does not fall when the whole page is darker.</summary>
    public required double Contrast { get; init; }

    public required IReadOnlyList<QualityWarning> Warnings { get; init; }

    /// <summary>Fingerprint for finding the same original certified before.</summary>
    public required PerceptualHash Hash { get; init; }

    /// <summary>A warning at refusal level: the page cannot be certified.</summary>
    public QualityWarning? Refusal => Warnings.FirstOrDefault(w => w.Refuses);
}

/// <summary>One measure outside its threshold. <see cref="Code"/> is stable ("blurred", "skewed", "cut-off",
/// "too-dark", "low-contrast": the <see cref="ScanRejection"/> codes used when it refuses).</summary>
public sealed record QualityWarning(ScanRejection Reason, string Vietnamese, string English, bool Refuses)
{
    public string Code => Reason.Code();

    /// <summary>Vietnamese first, then English.</summary>
    public string Message => $"{Vietnamese} / {English}";
}

/// <summary>Thresholds of the quality gate. Each measure warns past its warning threshold and refuses past its refusal
/// threshold (null: never refuses). Defaults warn about what an officer would want to re-scan and refuse only what
/// cannot be read.</summary>
public sealed class QualityThresholds
{
    public static QualityThresholds Default { get; } = new();

    public double SharpnessWarning { get; set; } = 1.0;
    public double? SharpnessRefusal { get; set; } = 0.05;
    public double SkewWarningDegrees { get; set; } = 1.5;
    public double? SkewRefusalDegrees { get; set; }
    /// <summary>Fraction of an edge's length touched by ink above which content is taken as cut off.</summary>
    public double EdgeInkWarning { get; set; } = 0.03;
    public double? EdgeInkRefusal { get; set; }
    public double BrightnessWarning { get; set; } = 0.5;
    public double? BrightnessRefusal { get; set; } = 0.15;
    public double ContrastWarning { get; set; } = 0.5;
    public double? ContrastRefusal { get; set; } = 0.1;
}

/// <summary>
/// The per-page quality gate: sharpness (variance of the Laplacian), skew (projection profiles), content at the
/// edge (cut off), brightness and contrast, each against <see cref="QualityThresholds"/>; and the page's
/// <see cref="PerceptualHash"/> from the same pixels. Resolution is checked by intake (<see cref="ScanIntake"/>).
/// </summary>
public sealed class ScanQualityGate(QualityThresholds? thresholds = null)
{
    /// <summary>Sharpness is measured here (150 dpi: a blur an officer sees on a 300 dpi scan stays visible).</summary>
    public const double WorkingDpi = 150;
    /// <summary>Skew, edges and the fingerprint are measured at half of that.</summary>
    private const double CoarseDpi = 75;
    private const double MaxSkewDegrees = 10;

    public QualityThresholds Thresholds { get; } = thresholds ?? QualityThresholds.Default;

    /// <summary>Measures one page; null for a page that is not decoded for reading (a scanned PDF's page).</summary>
    public PageQuality? Examine(ScanPage page, int pageNumber)
    {
        if (!PageRaster.CanDecode(page)) return null;
        return Examine(PageRaster.Decode(page, WorkingDpi), pageNumber);
    }

    public PageQuality Examine(PageRaster raster, int pageNumber)
    {
        var working = raster.Dpi > WorkingDpi * 1.001 ? raster.Resample(WorkingDpi) : raster;
        var (ink, paper, mean) = Tones(working.Pixels);
        var midpoint = (ink + paper) / 2;
        var sharpness = paper - ink < 24 ? (double?)null : Sharpness(working);
        var coarse = working.Resample(CoarseDpi);
        var skew = Skew(coarse, midpoint);
        var (edgeInk, sides) = EdgeInk(coarse, midpoint);
        var brightness = mean / 255.0;
        var contrast = paper + ink == 0 ? 0 : (double)(paper - ink) / (paper + ink);
        var t = Thresholds;
        var warnings = new List<QualityWarning>();
        string F(double v, string format = "0.00") => v.ToString(format, CultureInfo.InvariantCulture);
        if (sharpness is { } s && s < t.SharpnessWarning)
            warnings.Add(new(ScanRejection.Blurred, $"trang {pageNumber} bị mờ (độ nét {F(s)}, cần ít nhất {F(t.SharpnessWarning)})",
                $"page {pageNumber} is blurred (sharpness {F(s)}, at least {F(t.SharpnessWarning)} wanted)", s < t.SharpnessRefusal));
        if (Math.Abs(skew) > t.SkewWarningDegrees)
            warnings.Add(new(ScanRejection.Skewed, $"trang {pageNumber} bị nghiêng {F(skew, "0.0")}°",
                $"page {pageNumber} is skewed by {F(skew, "0.0")}°", Math.Abs(skew) > t.SkewRefusalDegrees));
        if (edgeInk > t.EdgeInkWarning)
            warnings.Add(new(ScanRejection.CutOff, $"nội dung chạm mép {string.Join(", ", sides.Select(SideVi))} của trang {pageNumber}: có thể bị cắt mất",
                $"content touches the {string.Join(", ", sides.Select(SideEn))} edge of page {pageNumber}: it may be cut off", edgeInk > t.EdgeInkRefusal));
        if (brightness < t.BrightnessWarning)
            warnings.Add(new(ScanRejection.TooDark, $"trang {pageNumber} quá tối (độ sáng {F(brightness)})",
                $"page {pageNumber} is too dark (brightness {F(brightness)})", brightness < t.BrightnessRefusal));
        if (sharpness is not null && contrast < t.ContrastWarning)
            warnings.Add(new(ScanRejection.LowContrast, $"trang {pageNumber} có độ tương phản thấp ({F(contrast)}): chữ nhạt, khó đọc",
                $"page {pageNumber} has low contrast ({F(contrast)}): faint, hard to read", contrast < t.ContrastRefusal));
        return new PageQuality
        {
            Page = pageNumber,
            Sharpness = sharpness is { } v ? Math.Round(v, 4) : null,
            SkewDegrees = Math.Round(skew, 2),
            CutOff = edgeInk > t.EdgeInkWarning,
            EdgeInk = Math.Round(edgeInk, 4),
            Brightness = Math.Round(brightness, 4),
            Contrast = Math.Round(contrast, 4),
            Warnings = warnings,
            Hash = PerceptualHash.Of(coarse, midpoint),
        };
    }

    private static string SideVi(string side) => side switch { "top" => "trên", "bottom" => "dưới", "left" => "trái", _ => "phải" };
    private static string SideEn(string side) => side;

    /// <summary>Ink, paper (90th percentile) and mean luminance, from a histogram. Ink is the 2nd percentile of the
    /// pixels clearly darker than paper, so a page with little text still finds its ink and the grey photograph on an
    /// ID card is not taken for it; a blank page has none (ink = paper).</summary>
    private static (int Ink, int Paper, double Mean) Tones(byte[] pixels)
    {
        var histogram = new long[256];
        long sum = 0;
        foreach (var v in pixels) { histogram[v]++; sum += v; }
        int Percentile(long rank, int below)
        {
            for (var v = 0; v < below; v++)
            {
                rank -= histogram[v];
                if (rank < 0) return v;
            }
            return below;
        }
        var paper = Percentile((long)(pixels.Length * 0.9), 256);
        var inkBelow = Math.Max(0, paper - 40);
        long candidates = 0;
        for (var v = 0; v < inkBelow; v++) candidates += histogram[v];
        var ink = candidates < pixels.Length / 10_000 ? paper : Percentile((long)(candidates * 0.02), inkBelow);
        return (ink, paper, (double)sum / pixels.Length);
    }

    /// <summary>Var(∇²I) / E(|∇I|²) over pixels on an edge (gradient above a floor, so flat paper and its grain
    /// count for nothing).</summary>
    private static double? Sharpness(PageRaster page)
    {
        int w = page.Width, h = page.Height;
        var p = page.Pixels;
        double laplacian = 0, laplacianSquared = 0, gradient = 0;
        long count = 0;
        for (var y = 1; y < h - 1; y++)
        {
            var row = y * w;
            for (var x = 1; x < w - 1; x++)
            {
                int c = p[row + x], n = p[row - w + x], s = p[row + w + x], e = p[row + x + 1], west = p[row + x - 1];
                int gx = e - west, gy = s - n;
                var g2 = (gx * gx + gy * gy) / 4.0;
                if (g2 < 64) continue;
                var lap = n + s + e + west - 4 * c;
                laplacian += lap;
                laplacianSquared += (double)lap * lap;
                gradient += g2;
                count++;
            }
        }
        if (count < 200) return null;
        var mean = laplacian / count;
        return (laplacianSquared / count - mean * mean) / (gradient / count);
    }

    /// <summary>The angle whose horizontal projection of ink is most peaked (sum of squared row counts): text lines
    /// and rules line up with the rows. 1° steps, then 0.25° and 0.05° around the best; at most about 40 000 ink
    /// pixels (an even sample of them) take part.</summary>
    private static double Skew(PageRaster page, int ink)
    {
        var xs = new List<int>();
        var ys = new List<int>();
        var inked = 0;
        foreach (var v in page.Pixels) if (v < ink) inked++;
        var every = Math.Max(1, inked / 40_000);
        var seen = 0;
        for (var y = 0; y < page.Height; y++)
        for (var x = 0; x < page.Width; x++)
            if (page.Pixels[y * page.Width + x] < ink && seen++ % every == 0) { xs.Add(x); ys.Add(y); }
        if (xs.Count < 100) return 0;
        var span = page.Height + page.Width;
        var bins = new long[span * 2 + 1];
        double Score(double degrees)
        {
            var radians = degrees * Math.PI / 180;
            double sin = Math.Sin(radians), cos = Math.Cos(radians);
            Array.Clear(bins);
            for (var i = 0; i < xs.Count; i++) bins[(int)Math.Round(ys[i] * cos - xs[i] * sin) + span]++;
            double score = 0;
            foreach (var b in bins) score += (double)b * b;
            return score;
        }
        double Best(double from, double to, double step)
        {
            double best = 0, bestScore = double.MinValue;
            for (var a = from; a <= to + 1e-9; a += step)
            {
                var score = Score(a);
                if (score > bestScore) { bestScore = score; best = a; }
            }
            return best;
        }
        var coarse = Best(-MaxSkewDegrees, MaxSkewDegrees, 1);
        var finer = Best(coarse - 1, coarse + 1, 0.25);
        return Best(finer - 0.25, finer + 0.25, 0.05);
    }

    /// <summary>For each edge, the fraction of its length where ink lies within 1 mm of it; the largest, and the
    /// edges above the warning threshold.</summary>
    private (double Largest, IReadOnlyList<string> Sides) EdgeInk(PageRaster page, int ink)
    {
        var strip = Math.Max(2, (int)Math.Round(page.Dpi / 25.4));
        int w = page.Width, h = page.Height;
        bool Ink(int x, int y) => page.Pixels[y * w + x] < ink;
        double Along(int length, Func<int, int, bool> inkAt)
        {
            var touched = 0;
            for (var i = 0; i < length; i++)
                for (var d = 0; d < strip; d++)
                    if (inkAt(i, d)) { touched++; break; }
            return (double)touched / length;
        }
        var sides = new (string Name, double Fraction)[]
        {
            ("top", Along(w, (i, d) => Ink(i, d))),
            ("bottom", Along(w, (i, d) => Ink(i, h - 1 - d))),
            ("left", Along(h, (i, d) => Ink(d, i))),
            ("right", Along(h, (i, d) => Ink(w - 1 - d, i))),
        };
        return (sides.Max(s => s.Fraction), sides.Where(s => s.Fraction > Thresholds.EdgeInkWarning).Select(s => s.Name).ToList());
    }
}
