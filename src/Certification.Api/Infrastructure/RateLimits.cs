using System.Globalization;
using System.Threading.RateLimiting;
using Certification.Api.Features.Audit;
using Certification.Api.Options;
using Certification.Api.Problems;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

namespace Certification.Api.Infrastructure;

/// <summary>Per-address (or per-API-client) fixed-window limits; rejections are 429 problem responses with Retry-After.</summary>
public static class RateLimits
{
    public const string SignIn = "sign-in";
    public const string Verification = "verification";
    public const string CopyLookup = "copy-lookup";

    public static IServiceCollection AddCertificationRateLimits(this IServiceCollection services)
    {
        static LimitOptions Limits(HttpContext http) => http.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<CertificationOptions>>().Value.Limits;
        services.AddRateLimiter(o =>
        {
            o.AddPolicy(SignIn, http => Window(Address(http), Limits(http).SignInsPerMinute));
            o.AddPolicy(CopyLookup, http => Window(Address(http), Limits(http).CopyLookupsPerMinute));
            o.AddPolicy(Verification, http =>
            {
                var limits = Limits(http);
                var client = http.User.FindFirst(ApiClientClaims.ClientId)?.Value;
                return client is not null
                    ? Window("client:" + client, limits.ApiClientVerificationsPerMinute)
                    : Window(Address(http), limits.VerificationsPerMinute);
            });
            o.OnRejected = async (context, ct) =>
            {
                var http = context.HttpContext;
                var retry = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromMinutes(1);
                http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                http.Response.Headers.RetryAfter = ((int)Math.Ceiling(retry.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                var type = ProblemTypes.RateLimited;
                await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = http,
                    ProblemDetails = new ProblemDetails { Type = type.Uri, Title = type.Title, Status = type.Status },
                });
            };
        });
        return services;
    }

    private static string Address(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private static RateLimitPartition<string> Window(string key, int perMinute) =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = perMinute,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        });
}
