namespace Certification.TestSupport.ExternalTools;

/// <summary>qpdf's structural verdict: <c>qpdf --check</c> exits 0 when clean, 2 on errors, 3 on warnings.</summary>
public sealed record QpdfCheck(ToolResult Raw)
{
    public int ExitCode => Raw.ExitCode;
    public bool IsClean => Raw.ExitCode == 0;
    public bool HasErrors => Raw.ExitCode == 2;
    public bool HasWarningsOnly => Raw.ExitCode == 3;

    public override string ToString() => Raw.ToString();
}

public static class Qpdf
{
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
    /// <summary>"The signature is valid." or "...valid but there have been edits since signing.": the
    /// signed bytes are intact.</summary>
    public bool DigestValid => Lines.Any(l => l.StartsWith("The signature is valid", StringComparison.Ordinal));

    /// <summary>Valid, and nothing was appended after it.</summary>
    public bool ValidWithoutLaterEdits => Lines.Contains("The signature is valid.");
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
