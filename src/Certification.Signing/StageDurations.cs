using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Certification.Signing;

/// <summary>
/// Collects the durations of the spans of the named activity sources (e.g. <see cref="SigningActivities.Name"/>) and
/// summarises them per stage: where one certification or verification spends its time, without an OpenTelemetry
/// collector (the benchmarks and the service's <c>Certification:Operations:StageTimings</c>). A stage is keyed by its
/// path from the outermost listened span, e.g. <c>certify/compose and sign/signature Certifier/timestamp</c>.
/// </summary>
public sealed class StageDurations : IDisposable
{
    /// <summary>Enough samples per stage for stable percentiles; later ones are dropped, so memory stays bounded.</summary>
    private const int MaxSamples = 20_000;

    private readonly HashSet<string> _sources;
    private readonly ConcurrentDictionary<string, List<double>> _samples = new(StringComparer.Ordinal);
    private readonly ActivityListener _listener;

    public StageDurations(params string[] sources)
    {
        _sources = new HashSet<string>(sources, StringComparer.Ordinal);
        _listener = new ActivityListener
        {
            ShouldListenTo = source => _sources.Contains(source.Name),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = Record,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    private void Record(Activity activity)
    {
        var samples = _samples.GetOrAdd(PathOf(activity), _ => []);
        lock (samples)
            if (samples.Count < MaxSamples) samples.Add(activity.Duration.TotalMilliseconds);
    }

    private string PathOf(Activity activity)
    {
        var path = activity.DisplayName;
        for (var parent = activity.Parent; parent is not null && _sources.Contains(parent.Source.Name); parent = parent.Parent)
            path = $"{parent.DisplayName}/{path}";
        return path;
    }

    /// <summary>Forgets what was collected (between the phases of a benchmark).</summary>
    public void Clear() => _samples.Clear();

    /// <summary>One line per stage, in path order: count, median, p90 and mean in milliseconds.</summary>
    public string Summary()
    {
        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"{"stage",-72} {"count",6} {"median",8} {"p90",8} {"mean",8}  (ms)\n");
        foreach (var (path, samples) in _samples.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            double[] sorted;
            lock (samples) sorted = [.. samples];
            Array.Sort(sorted);
            text.Append(CultureInfo.InvariantCulture,
                $"{path,-72} {sorted.Length,6} {sorted[sorted.Length / 2],8:0.00} {sorted[Math.Min(sorted.Length - 1, sorted.Length * 9 / 10)],8:0.00} {sorted.Average(),8:0.00}\n");
        }
        return text.ToString();
    }

    public void Dispose() => _listener.Dispose();
}
