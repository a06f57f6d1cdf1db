using Certification.Api.Options;
using Microsoft.Extensions.Options;

namespace Certification.Api.Features.Archive;

/// <summary>Runs an archive pass (<see cref="ArchiveExtender"/>) at start and every <c>Archive:Interval</c>
/// (<c>Archive:Enabled</c>, default on). Start-up tasks (migrations) have finished before hosted services
/// that follow them start.</summary>
public sealed class ArchiveJob(IServiceProvider services, IOptions<CertificationOptions> options, TimeProvider clock, ILogger<ArchiveJob> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var archive = options.Value.Archive;
        if (!archive.Enabled) return;
        using var timer = new PeriodicTimer(archive.Interval, clock);
        do
        {
            try
            {
                using var scope = services.CreateScope();
                await scope.ServiceProvider.GetRequiredService<ArchiveExtender>().ExtendDueAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError(e, "The archive pass failed");
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
