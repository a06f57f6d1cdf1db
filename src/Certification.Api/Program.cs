using Certification.Api;
using Certification.Api.Infrastructure;
using Certification.Api.Web;

if (await CommandLine.TryRunAsync(args) is { } exitCode)
{
    Environment.ExitCode = exitCode;
    return;
}

var builder = WebApplication.CreateBuilder(args);
builder.AddCertificationServices();
builder.Services.AddCertificationWebPages();

var app = builder.Build();
app.UseCertificationPipeline();
app.UseCertificationWebPages();
app.MapCertificationEndpoints();
app.MapCertificationWebPages();
app.Run();

/// <summary>Entry point, visible to the functional tests' WebApplicationFactory.</summary>
public partial class Program;
