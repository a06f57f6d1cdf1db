using System.Text;
using Certification.TestSupport;
using Certification.TestSupport.ExternalTools;
using Xunit;

namespace Certification.Signing.Tests.Samples;

/// <summary>The input producers make what they claim: structurally sound files of the intended shape.</summary>
public sealed class SamplePdfsTests
{
    [Theory]
    [MemberData(nameof(SamplePdfs.AllKinds), MemberType = typeof(SamplePdfs))]
    public void Every_sample_passes_qpdf_check_and_renders(SamplePdfKind kind)
    {
        using var dir = new TempDirectory();
        var path = SamplePdfs.Create(kind, dir.Path);

        var check = Qpdf.Check(path);
        Assert.True(check.IsSound, check.ToString());
        var info = ExternalTool.Run("pdfinfo", [path]);
        Assert.True(info.ExitCode == 0 && info.StdErr.Length == 0, info.ToString());
    }

    [Theory]
    [InlineData(SamplePdfKind.ImageOnlyScan)]
    [InlineData(SamplePdfKind.HybridReference)]
    public void Samples_without_pdfsharp_streams_are_qpdf_clean(SamplePdfKind kind)
    {
        using var dir = new TempDirectory();
        var check = Qpdf.Check(SamplePdfs.Create(kind, dir.Path));
        Assert.True(check.IsClean, check.ToString());
    }

    [Fact]
    public void PdfSharp_without_content_compression_is_qpdf_clean_and_with_it_only_warns_about_flate()
    {
        using var dir = new TempDirectory();
        var plain = Qpdf.Check(SamplePdfs.PdfSharpText(dir.Path, "plain.pdf", compressContentStreams: false));
        Assert.True(plain.IsClean, plain.ToString());
        var compressed = Qpdf.Check(SamplePdfs.PdfSharpText(dir.Path, "compressed.pdf"));
        Assert.True(compressed.HasOnlyUnterminatedFlateWarnings, compressed.ToString());
    }

    [Fact]
    public void PdfSharp_text_has_two_pages_with_extractable_vietnamese()
    {
        using var dir = new TempDirectory();
        var path = SamplePdfs.PdfSharpText(dir.Path);

        Assert.Contains("Pages:           2", ExternalTool.RunChecked("pdfinfo", [path]).StdOut);
        var text = ExternalTool.RunChecked("pdftotext", [path, "-"]).StdOut;
        Assert.Contains("Trang 2", text);
        Assert.Contains("Cộng", text.Normalize(NormalizationForm.FormC));
    }

    [Fact]
    public void Object_streams_sample_uses_xref_and_object_streams()
    {
        using var dir = new TempDirectory();
        var text = Latin1(SamplePdfs.ObjectStreams(dir.Path));
        Assert.Contains("/ObjStm", text);
        Assert.Contains("/XRef", text);
        Assert.DoesNotContain("\ntrailer", text);
    }

    [Fact]
    public void Linearized_sample_is_linearized()
    {
        using var dir = new TempDirectory();
        var path = SamplePdfs.Linearized(dir.Path);
        Assert.Contains("Optimized:       yes", ExternalTool.RunChecked("pdfinfo", [path]).StdOut);
        Assert.Contains("File is linearized", Qpdf.Check(path).Raw.StdOut);
    }

    [Fact]
    public void Incremental_revisions_keep_the_original_bytes_and_chain_by_prev()
    {
        using var dir = new TempDirectory();
        var original = SamplePdfs.PdfSharpText(dir.Path, "original.pdf");

        var path = dir.File("appended.pdf");
        File.Copy(original, path);
        PdfRevisionAppender.AppendInfoRevision(path, "Revision 2");
        PdfRevisionAppender.AppendInfoRevision(path, "Revision 3");

        var originalLength = new FileInfo(original).Length;
        Assert.Equal(SamplePdfs.Sha256(original, originalLength), SamplePdfs.Sha256(path, originalLength));
        var text = Latin1(path);
        Assert.Equal(3, CountOf(text, "%%EOF"));
        Assert.Equal(2, CountOf(text, "/Prev "));
        Assert.Contains("Title:           Revision 3", ExternalTool.RunChecked("pdfinfo", [path]).StdOut);
        Assert.Equal(3, CountOf(Latin1(SamplePdfs.IncrementalRevisions(dir.Path)), "%%EOF"));
    }

    [Fact]
    public void Revision_appender_also_extends_an_xref_stream_file()
    {
        using var dir = new TempDirectory();
        var path = SamplePdfs.ObjectStreams(dir.Path);
        PdfRevisionAppender.AppendInfoRevision(path, "Appended to xref stream");

        Assert.True(PdfRevisionAppender.ReadLastTrailer(File.ReadAllBytes(path)).IsXrefStream);
        var check = Qpdf.Check(path);
        Assert.True(check.IsSound, check.ToString());
        Assert.Contains("Title:           Appended to xref stream", ExternalTool.RunChecked("pdfinfo", [path]).StdOut);
    }

    [Fact]
    public void Hybrid_reference_font_is_reachable_only_through_xref_stm()
    {
        using var dir = new TempDirectory();
        var path = SamplePdfs.HybridReference(dir.Path);

        var text = Latin1(path);
        Assert.Contains("/XRefStm", text);
        Assert.Contains("\ntrailer", text);
        var font = Qpdf.Run(["--show-object=5", path]);
        Assert.Contains("/Helvetica", font.StdOut);
        Assert.Contains("Hybrid reference file", ExternalTool.RunChecked("pdftotext", [path, "-"]).StdOut);
    }

    [Fact]
    public void Image_only_scan_has_one_page_and_no_text()
    {
        using var dir = new TempDirectory();
        var path = SamplePdfs.ImageOnlyScan(dir.Path);
        Assert.Contains("Pages:           1", ExternalTool.RunChecked("pdfinfo", [path]).StdOut);
        Assert.Equal("", ExternalTool.RunChecked("pdftotext", [path, "-"]).StdOut.Trim('\f', '\n', ' '));
        Assert.Contains("jpeg", ExternalTool.RunChecked("pdfimages", ["-list", path]).StdOut);
    }

    [Fact]
    public void Large_jpeg_samples_have_the_sizes_the_benchmarks_expect()
    {
        using var dir = new TempDirectory();
        var three = SamplePdfs.ThreeMegabytes(dir.Path);
        var thirty = SamplePdfs.ThirtyMegabytes(dir.Path);

        Assert.InRange(new FileInfo(three).Length, 2_500_000, 4_000_000);
        Assert.InRange(new FileInfo(thirty).Length, 25_000_000, 40_000_000);
        Assert.Contains("Pages:           20", ExternalTool.RunChecked("pdfinfo", [thirty]).StdOut);
        // qpdf --check spends about a second per 1.5 MB JPEG page: check the small one only.
        var check = Qpdf.Check(three);
        Assert.True(check.IsClean, check.ToString());
    }

    private static string Latin1(string path) => Encoding.Latin1.GetString(File.ReadAllBytes(path));

    private static int CountOf(string text, string what)
    {
        var n = 0;
        for (var i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + what.Length, StringComparison.Ordinal)) n++;
        return n;
    }
}
