using Certification.Api;
using Certification.Api.Infrastructure;

if (await CommandLine.TryRunAsync(args) is { } exitCode)
{
    Environment.ExitCode = exitCode;
    return;
}

var builder = WebApplication.CreateBuilder(args);
builder.AddCertificationServices();

var app = builder.Build();
app.UseCertificationPipeline();
app.MapCertificationEndpoints();
app.Run();

/// <summary>Entry point, visible to the functional tests' WebApplicationFactory.</summary>
public partial class Program;
