using System.Diagnostics;
using System.Globalization;

namespace Certification.Signing.Documents.Reading;

/// <summary>A region of a page as fractions of its displayed width and height (origin top-left), so it holds at
/// any resolution the page is shown in.</summary>
public sealed record PageRegion(int Page, double Left, double Top, double Width, double Height)
{
    public static PageRegion Union(int page, IEnumerable<PageRegion> regions)
    {
        var list = regions.ToList();
        double left = list.Min(r => r.Left), top = list.Min(r => r.Top);
        double right = list.Max(r => r.Left + r.Width), bottom = list.Max(r => r.Top + r.Height);
        return new PageRegion(page, Math.Round(left, 4), Math.Round(top, 4), Math.Round(right - left, 4), Math.Round(bottom - top, 4));
    }
}

/// <summary>One recognised word: its text (NFC), the engine's confidence 0–1 and where it is.</summary>
public sealed record OcrWord(string Text, double Confidence, PageRegion Region);

/// <summary>One line of text as the engine laid it out (block, paragraph, line).</summary>
public sealed record OcrLine(IReadOnlyList<OcrWord> Words)
{
    public string Text => string.Join(' ', Words.Select(w => w.Text));

    /// <summary>Height of the line as a fraction of the page: titles are set larger.</summary>
    public double Height => Words.Count == 0 ? 0 : Words.Max(w => w.Region.Height);

    public int Page => Words[0].Region.Page;
}

/// <summary>The text of one page. Never drawn into the certified copy: the copy is of the image (the officer
/// certifies what the page shows, not what a machine read from it).</summary>
public sealed record OcrPage(int Page, IReadOnlyList<OcrLine> Lines);

/// <summary>How the OCR engine is run.</summary>
public sealed class OcrOptions
{
    /// <summary>Tesseract 5 (Debian package <c>tesseract-ocr</c>) with its Vietnamese model (<c>tesseract-ocr-vie</c>).</summary>
    public string Executable { get; set; } = "/usr/bin/tesseract";
    public string Languages { get; set; } = "vie";
    /// <summary>A page taking longer is abandoned (the process is killed) and gives no proposals.</summary>
    public TimeSpan TimeLimit { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>Address-space limit of the engine's process (prlimit --as), so a hostile image cannot exhaust the host.</summary>
    public long MemoryLimitBytes { get; set; } = 1L << 30;
    /// <summary>Engines running at once in this process; each gets one thread (OMP_THREAD_LIMIT=1).</summary>
    public int MaxConcurrent { get; set; } = 1;
    /// <summary>Resolution pages are handed to the engine at (Tesseract is trained on about 300 dpi text).</summary>
    public double Dpi { get; set; } = 300;
    /// <summary>Only the first pages are read: titles, names and numbers are there, and each page costs about a second.</summary>
    public int MaxPages { get; set; } = 3;
}

/// <summary>The OCR engine failed, timed out or is not installed.</summary>
public sealed class OcrFailedException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Tesseract run out of process on one page at a time: the page goes in as PGM on standard input, word boxes come
/// back as TSV on standard output. Bounded in time (killed after <see cref="OcrOptions.TimeLimit"/>), in memory
/// (<c>prlimit --as</c>) and in concurrency; awaited asynchronously, so no request thread waits on it.
/// </summary>
public sealed class TesseractOcr(OcrOptions? options = null)
{
    private const string Prlimit = "/usr/bin/prlimit";
    private readonly SemaphoreSlim _slots = new(Math.Max(1, (options ?? new OcrOptions()).MaxConcurrent));

    public OcrOptions Options { get; } = options ?? new OcrOptions();

    public bool Available => File.Exists(Options.Executable);

    public async Task<OcrPage> ReadAsync(PageRaster page, int pageNumber, CancellationToken ct)
    {
        if (!Available) throw new OcrFailedException($"{Options.Executable} is not installed (Debian packages tesseract-ocr, tesseract-ocr-vie)");
        var input = page.ToPgm();
        await _slots.WaitAsync(ct);
        try
        {
            var tsv = await RunAsync(input, page.Dpi, ct);
            return new OcrPage(pageNumber, ParseTsv(tsv, pageNumber, page.Width, page.Height));
        }
        finally { _slots.Release(); }
    }

    private async Task<string> RunAsync(byte[] input, double dpi, CancellationToken ct)
    {
        var bounded = File.Exists(Prlimit);
        var start = new ProcessStartInfo(bounded ? Prlimit : Options.Executable)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        if (bounded)
            foreach (var a in new[] { $"--as={Options.MemoryLimitBytes}", "--", Options.Executable }) start.ArgumentList.Add(a);
        foreach (var a in new[] { "stdin", "stdout", "--dpi", ((int)Math.Round(dpi)).ToString(CultureInfo.InvariantCulture), "-l", Options.Languages, "--psm", "3", "tsv" })
            start.ArgumentList.Add(a);
        start.Environment["OMP_THREAD_LIMIT"] = "1";
        using var process = Process.Start(start) ?? throw new OcrFailedException("tesseract did not start");
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(Options.TimeLimit);
        try
        {
            var output = process.StandardOutput.ReadToEndAsync(limit.Token);
            var errors = process.StandardError.ReadToEndAsync(limit.Token);
            await process.StandardInput.BaseStream.WriteAsync(input, limit.Token);
            process.StandardInput.Close();
            await process.WaitForExitAsync(limit.Token);
            var tsv = await output;
            if (process.ExitCode != 0) throw new OcrFailedException($"tesseract exited with {process.ExitCode}: {(await errors).Trim()}");
            return tsv;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new OcrFailedException($"tesseract took longer than {Options.TimeLimit.TotalSeconds:0} s");
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }

    /// <summary>Tesseract's TSV: level, page, block, paragraph, line, word, left, top, width, height, conf, text;
    /// level 5 rows are words.</summary>
    internal static IReadOnlyList<OcrLine> ParseTsv(string tsv, int pageNumber, int width, int height)
    {
        var lines = new List<OcrLine>();
        List<OcrWord>? current = null;
        (string, string, string)? key = null;
        foreach (var row in tsv.Split('\n').Skip(1))
        {
            var f = row.TrimEnd('\r').Split('\t');
            if (f.Length < 12 || f[0] != "5" || string.IsNullOrWhiteSpace(f[11])) continue;
            var lineKey = (f[2], f[3], f[4]);
            if (key != lineKey)
            {
                if (current is { Count: > 0 }) lines.Add(new OcrLine(current));
                current = [];
                key = lineKey;
            }
            double Number(int i) => double.Parse(f[i], CultureInfo.InvariantCulture);
            var region = new PageRegion(pageNumber, Number(6) / width, Number(7) / height, Number(8) / width, Number(9) / height);
            current!.Add(new OcrWord(f[11].Trim().Normalize(System.Text.NormalizationForm.FormC), Math.Clamp(Number(10) / 100, 0, 1), region));
        }
        if (current is { Count: > 0 }) lines.Add(new OcrLine(current));
        return lines;
    }
}
