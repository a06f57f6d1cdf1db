using Certification.TestSupport.ExternalTools;

namespace Certification.TestSupport;

/// <summary>What was done to a clean sample scan, and the quality measure that must catch it.</summary>
public enum Degradation
{
    /// <summary>Gaussian blur σ = 4 px at 300 dpi (0.34 mm): caught as "blurred".</summary>
    Blurred,
    /// <summary>Turned 3° clockwise: "skewed".</summary>
    Skewed,
    /// <summary>The left 300 px (25 mm) cut away, through the text: "cut-off".</summary>
    Cropped,
    /// <summary>Every sample times 0.4: "too-dark".</summary>
    Darkened,
    /// <summary>Tones squeezed into 35–70 %: "low-contrast".</summary>
    Faded,
    /// <summary>Not a defect: the same original scanned again (Gaussian noise, turned 1°), which must be found as a duplicate.</summary>
    Rescanned,
}

/// <summary>
/// Degraded versions of the project's sample scans (samples/, see samples/make-samples.sh), made with ImageMagick
/// once per test run into a temporary folder (so the repository keeps only the clean samples). Each keeps the
/// sample's resolution.
/// </summary>
public static class DegradedScans
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<(string, Degradation), string> Made = new();
    private static readonly Lazy<string> Folder = new(() => Directory.CreateTempSubdirectory("cert-degraded-").FullName);

    public static string SamplePath(string sample) =>
        Path.Combine(RepositoryRoot.Find() ?? throw new InvalidOperationException("Repository root not found"), "samples", sample);

    /// <summary>The path of <paramref name="sample"/> (an image under samples/) degraded as <paramref name="degradation"/>.</summary>
    public static string Get(string sample, Degradation degradation)
    {
        lock (Gate)
        {
            if (Made.TryGetValue((sample, degradation), out var made)) return made;
            var source = SamplePath(sample);
            var target = Path.Combine(Folder.Value, $"{Path.GetFileNameWithoutExtension(sample)}-{degradation.ToString().ToLowerInvariant()}.jpg");
            var paper = "#fbfaf5";
            string[] operation = degradation switch
            {
                Degradation.Blurred => ["-blur", "0x4"],
                Degradation.Skewed => ["-background", paper, "-rotate", "3"],
                Degradation.Cropped => ["-gravity", "East", "-crop", "88%x100%+0+0", "+repage"],
                Degradation.Darkened => ["-evaluate", "multiply", "0.4"],
                Degradation.Faded => ["+level", "35%,70%"],
                Degradation.Rescanned => ["-attenuate", "0.6", "+noise", "Gaussian", "-background", paper, "-rotate", "1"],
                _ => throw new ArgumentOutOfRangeException(nameof(degradation)),
            };
            // Keep the sample's resolution (ImageMagick carries it over); fixed noise seed so a run is repeatable.
            ExternalTool.RunChecked("convert", ["-seed", "7", source, .. operation, "-quality", "85", target]);
            Made[(sample, degradation)] = target;
            return target;
        }
    }
}
