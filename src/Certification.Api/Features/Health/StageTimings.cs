using Certification.Signing;

namespace Certification.Api.Features.Health;

/// <summary>Logs the per-stage durations of the service's and the library's spans (<see cref="StageDurations"/>) when
/// the service stops (<c>Certification:Operations:StageTimings</c>; <c>benchmarks/service-bench.sh</c> turns it on).</summary>
public sealed class StageTimings(ILogger<StageTimings> log) : IHostedService, IDisposable
{
    private readonly StageDurations _durations = new(Telemetry.Name, SigningActivities.Name);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken)
    {
        log.LogWarning("Stage timings since start:\n{Summary}", _durations.Summary());
        return Task.CompletedTask;
    }

    public void Dispose() => _durations.Dispose();
}
