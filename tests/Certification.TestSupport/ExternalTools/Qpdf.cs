namespace Certification.TestSupport.ExternalTools;

/// <summary>qpdf's structural verdict: <c>qpdf --check</c> exits 0 when clean, 2 on errors, 3 on warnings.</summary>
public sealed record QpdfCheck(ToolResult Raw)
{
    public int ExitCode => Raw.ExitCode;
    public bool IsClean => Raw.ExitCode == 0;
    public bool HasErrors => Raw.ExitCode == 2;
    public bool HasWarningsOnly => Raw.ExitCode == 3;

    /// <summary>The WARNING lines, file name removed: "(offset 603): input stream is complete ...".</summary>
    public IReadOnlyList<string> Warnings =>
        (Raw.StdOut + "\n" + Raw.StdErr).Split('\n')
            .Where(l => l.StartsWith("WARNING: ", StringComparison.Ordinal))
            .Select(l => l.IndexOf(" (", StringComparison.Ordinal) is var i and >= 0 ? l[(i + 1)..].Trim() : l.Trim())
            .ToList();

    /// <summary>Exit 3 and every warning is qpdf's "input stream is complete but output may still be
    /// valid": the Flate streams PDFsharp 6.2.4 writes lack a final deflate block. Readers cope; it is
    /// the producer's quirk, not damage.</summary>
    public bool HasOnlyUnterminatedFlateWarnings =>
        HasWarningsOnly && Warnings.Count > 0 && Warnings.All(w => w.EndsWith("input stream is complete but output may still be valid", StringComparison.Ordinal));

    /// <summary>Clean, or only the PDFsharp Flate quirk.</summary>
    public bool IsSound => IsClean || HasOnlyUnterminatedFlateWarnings;

    public override string ToString() => Raw.ToString();
}

public static class Qpdf
{
    /// <summary><c>qpdf --check</c>. Slow on big scans: about 1 s per 1.5 MB JPEG page on this machine.</summary>
    public static QpdfCheck Check(string pdfPath) => new(ExternalTool.Run("qpdf", ["--check", pdfPath]));

    /// <summary>Runs qpdf with arbitrary arguments; throws unless it exits 0 (3, warnings, is allowed when
    /// <paramref name="allowWarnings"/>).</summary>
    public static ToolResult Run(IEnumerable<string> arguments, bool allowWarnings = false)
    {
        var result = ExternalTool.Run("qpdf", arguments);
        if (result.ExitCode == 0 || (allowWarnings && result.ExitCode == 3)) return result;
        throw new InvalidOperationException($"qpdf failed:\n{result}");
    }
}

/// <summary>One signature as <c>mutool sign -v</c> reports it (a second opinion on integrity; mutool
/// cannot be given trust anchors, so its certificate verdict is not meaningful here).</summary>
public sealed record MutoolSignature(string ObjectNumber, string? DistinguishedName, IReadOnlyList<string> Lines)
{
    // mupdf 1.21 (pdfsign.c) prints one of: "Digest error: ...", "The signature is valid but there have
    // been edits since signing.", "The document is unchanged since signing.", "Verification error: ...".

    /// <summary>The signed bytes are intact (with or without later revisions).</summary>
    public bool DigestValid => ValidWithoutLaterEdits || ValidWithLaterEdits;

    /// <summary>Intact, and nothing was appended after it.</summary>
    public bool ValidWithoutLaterEdits => Lines.Contains("The document is unchanged since signing.");

    /// <summary>Intact, with later incremental updates.</summary>
    public bool ValidWithLaterEdits => Lines.Contains("The signature is valid but there have been edits since signing.");
}

public static class MutoolSign
{
    public static (ToolResult Raw, IReadOnlyList<MutoolSignature> Signatures) Verify(string pdfPath)
    {
        var raw = ExternalTool.Run("mutool", ["sign", "-v", pdfPath]);
        var signatures = new List<MutoolSignature>();
        string? obj = null;
        List<string> lines = [];
        void Flush()
        {
            if (obj is null) return;
            var dn = lines.FirstOrDefault(l => l.StartsWith("Distinguished name:", StringComparison.Ordinal));
            signatures.Add(new MutoolSignature(obj, dn is null ? null : TextRepair.UndoDoubleUtf8(dn["Distinguished name:".Length..].Trim()), lines));
        }
        foreach (var rawLine in raw.StdOut.Split('\n'))
        {
            var line = rawLine.Trim();
            if (line.StartsWith("Verifying signature ", StringComparison.Ordinal))
            {
                Flush();
                obj = line["Verifying signature ".Length..].TrimEnd(':');
                lines = [];
            }
            else if (obj is not null && line.Length > 0)
            {
                lines.Add(line);
            }
        }
        Flush();
        return (raw, signatures);
    }
}
