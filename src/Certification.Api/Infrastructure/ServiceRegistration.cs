using System.Diagnostics;
using System.Security.Claims;
using System.Text.Json.Serialization;
using Certification.Signing.Documents;
using Certification.Signing.Documents.Reading;
using Certification.Api.Features.Scans;
using Certification.Api.Features.Admin;
using Certification.Api.Features.Archive;
using Certification.Api.Features.Audit;
using Certification.Api.Features.Auth;
using Certification.Api.Features.Books;
using Certification.Api.Features.Certifications;
using Certification.Api.Features.Citizens;
using Certification.Api.Features.Events;
using Certification.Api.Features.Shares;
using Certification.Api.Features.Copies;
using Certification.Api.Features.Health;
using Certification.Api.Features.Refusals;
using Certification.Api.Features.Trust;
using Certification.Api.Features.Verifications;
using Certification.Api.Options;
using Certification.Api.Problems;
using Certification.Signing.Pades;
using Certification.Signing.Timestamps;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Scalar.AspNetCore;

namespace Certification.Api.Infrastructure;

public static class ServiceRegistration
{
    public static WebApplicationBuilder AddCertificationServices(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var options = builder.Configuration.GetSection(CertificationOptions.Section).Get<CertificationOptions>() ?? new CertificationOptions();
        services.AddOptions<CertificationOptions>().BindConfiguration(CertificationOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(TimeProvider.System);
        services.AddHttpContextAccessor();
        services.AddSingleton<DataDirectory>();
        services.AddSingleton<PublicBaseUrl>();
        services.AddSingleton<Readiness>();
        services.AddSingleton<NodeKeys>();
        services.AddScoped<Features.Admin.ConsistencyCheck>();
        services.AddSingleton(sp => new TrustServiceHealth(sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<CertificationOptions>>().Value.TrustServices.BreakDuration));
        services.AddSingleton(sp => TrustServices.Create(sp.GetRequiredService<IOptions<CertificationOptions>>(), sp.GetRequiredService<DataDirectory>(),
            sp.GetRequiredService<PublicBaseUrl>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<TrustServiceHealth>(),
            sp.GetRequiredService<ILogger<TrustServices>>()));
        // The one timestamp authority the issuer and the archive job use (a test host may stand in a renewed one).
        services.AddSingleton(sp => sp.GetRequiredService<TrustServices>().Timestamps);
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<CertificationOptions>>().Value;
            if (o.KeyEncryptionKey is { Length: > 0 } configured) return new KeyProtector(Convert.FromBase64String(configured));
            if (!o.Demo) throw new OptionsValidationException(CertificationOptions.Section, typeof(CertificationOptions), ["Certification:KeyEncryptionKey is required outside demo mode."]);
            return new KeyProtector(sp.GetRequiredService<DataDirectory>().GetOrCreateSecret("key-encryption.key", 32));
        });
        services.AddSingleton<IBlobStore>(sp => BlobStores.Create(sp.GetRequiredService<IOptions<CertificationOptions>>().Value, builder.Configuration,
            sp.GetRequiredService<DataDirectory>()));
        services.AddSingleton<SigningKeys>();
        services.AddSingleton<BookLocks>();
        services.AddSingleton(sp =>
        {
            var trust = sp.GetRequiredService<TrustServices>();
            return new PadesSigner(sp.GetRequiredService<ITimestampAuthority>(), trust.Revocation, sp.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton(sp => new CertifiedCopyIssuer(sp.GetRequiredService<PadesSigner>(), clock: sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp =>
        {
            var reading = sp.GetRequiredService<IOptions<CertificationOptions>>().Value.Reading;
            return new ScanReader(new ScanQualityGate(reading.Quality), new TesseractOcr(reading.Ocr),
                new ProposalReader(reading.DocumentTypes.Count > 0 ? reading.DocumentTypes : null));
        });
        services.AddSingleton<VerificationResultCache>();
        services.AddSingleton<IDocumentVerifier, ValidatorDocumentVerifier>();
        services.AddSingleton<ValidationReportSeal>();

        // Provider-neutral data layer: Sqlite (default) or Postgres by configuration, each with its own migrations.
        services.AddDbContext<CertificationDbContext>((sp, db) =>
        {
            var o = sp.GetRequiredService<IOptions<CertificationOptions>>().Value;
            var provider = DatabaseProviders.Normalise(o.Database.Provider);
            var connection = builder.Configuration.GetConnectionString("Certification");
            if (provider == DatabaseProviders.Postgres && string.IsNullOrWhiteSpace(connection))
                throw new OptionsValidationException(CertificationOptions.Section, typeof(CertificationOptions),
                    ["ConnectionStrings:Certification is required with Certification:Database:Provider=Postgres."]);
            DatabaseProviders.Configure(db, provider, connection ?? DataDirectory.ConnectionString(sp.GetRequiredService<DataDirectory>().Database));
            // Test hosts add interceptors (a failure injected into a save) through the container.
            db.AddInterceptors(sp.GetServices<Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor>());
        });
        services.AddScoped<AuditTrail>();
        services.AddScoped<PasswordSignIn>();
        services.AddScoped<CertificationIntake>();
        services.AddScoped<ScanRecords>();
        services.AddSingleton<CopyIssuance>();
        services.AddScoped<BookLedger>();
        services.AddScoped<CertificationService>();
        services.AddScoped<TwoStepSigning>();
        services.AddSingleton<DevelopmentRemoteSigning>();
        services.AddSingleton<RemoteCredentials>();
        services.AddSingleton<RemoteSigningFlow>();
        var csc = services.AddHttpClient(RemoteCredentials.HttpClientName);
        if (options.Demo && string.IsNullOrEmpty(options.RemoteSigning.ProviderUrl))
            csc.ConfigurePrimaryHttpMessageHandler(sp => new Signing.Remote.DevelopmentCscHandler(sp.GetRequiredService<DevelopmentRemoteSigning>().Provider));
        services.AddScoped<Registry>();
        services.AddScoped<ArchiveExtender>();
        services.AddScoped<Outbox>();
        services.AddScoped<ShareService>();
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddHttpClient(WebhookDispatcher.HttpClientName);
        services.AddSingleton<TokenService>();
        // Hosted services start in this order; StartupTasks (migrations) first, so the background jobs never
        // query a schema that is not there yet.
        services.AddHostedService<StartupTasks>();
        services.AddHostedService<WebhookDispatcher>();
        services.AddHostedService<ExternalSigningSweeper>();
        services.AddHostedService<ArchiveJob>();
        services.AddHostedService<Banner>();

        services.AddCertificationTelemetry(builder.Configuration, options);
        AddSecurity(services, builder.Configuration, options);
        services.AddCertificationRateLimits();
        services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            var status = problem.Status ?? context.HttpContext.Response.StatusCode;
            if (problem.Type is null || problem.Type.StartsWith("https://tools.ietf.org", StringComparison.Ordinal))
            {
                var type = ProblemTypes.ForStatus(status);
                problem.Type = type.Uri;
                problem.Title = type.Title;
            }
            problem.Extensions["traceId"] = Activity.Current?.Id ?? context.HttpContext.TraceIdentifier;
        });
        services.AddExceptionHandler<ProblemExceptionHandler>();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        // Options are read when first used (not here), so test hosts and environment overrides apply.
        services.AddOptions<FormOptions>().Configure<IOptions<CertificationOptions>>((o, c) =>
        {
            o.MultipartBodyLengthLimit = c.Value.Limits.MaxRequestBytes;
            o.ValueCountLimit = 64;
        });
        services.AddOptions<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>().Configure<IOptions<CertificationOptions>>((k, c) =>
            k.Limits.MaxRequestBodySize = c.Value.Limits.MaxRequestBytes);
        services.AddOpenApi();
        // Cookie encryption keys live with the data, so sign-ins survive restarts.
        services.AddDataProtection().SetApplicationName("Certification");
        services.AddOptions<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>()
            .Configure<DataDirectory, ILoggerFactory>((o, data, logs) => o.XmlRepository =
                new Microsoft.AspNetCore.DataProtection.Repositories.FileSystemXmlRepository(new DirectoryInfo(Path.Combine(data.Keys, "data-protection")), logs));
        return builder;
    }

    private static void AddSecurity(IServiceCollection services, IConfiguration configuration, CertificationOptions options)
    {
        var auth = services.AddAuthentication(Schemes.Officer)
            .AddPolicyScheme(Schemes.Officer, "Officer or API client", o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? Schemes.Bearer
                : context.Request.Headers.ContainsKey(ApiKeyAuthenticationHandler.Header) ? Schemes.ApiKey
                : Schemes.Cookie)
            .AddJwtBearer(Schemes.Bearer, o => o.MapInboundClaims = false)
            .AddCookie(Schemes.Cookie, o =>
            {
                o.Cookie.Name = "certification.session";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.SlidingExpiration = true;
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                o.Events.OnRedirectToLogin = c => { c.Response.StatusCode = 401; return Task.CompletedTask; };
                o.Events.OnRedirectToAccessDenied = c => { c.Response.StatusCode = 403; return Task.CompletedTask; };
            })
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(Schemes.ApiKey, null);
        services.AddCitizenSignIn(auth, configuration, options.Demo);
        services.AddOptions<JwtBearerOptions>(Schemes.Bearer).Configure<TokenService>((o, tokens) => o.TokenValidationParameters = tokens.ValidationParameters());

        var oidc = options.Auth.Oidc;
        if (oidc.Enabled)
        {
            auth.AddOpenIdConnect(Schemes.Oidc, o =>
            {
                o.Authority = oidc.Authority;
                o.ClientId = oidc.ClientId;
                o.ClientSecret = oidc.ClientSecret;
                o.ResponseType = "code";
                o.UsePkce = true;
                o.SignInScheme = Schemes.Cookie;
                o.MapInboundClaims = false;
                o.Scope.Add("profile");
                // The SSO proves who the person is; this service decides what they may do (their officer record).
                o.Events.OnTokenValidated = async context =>
                {
                    var userName = context.Principal?.FindFirst(oidc.UserNameClaim)?.Value;
                    var db = context.HttpContext.RequestServices.GetRequiredService<CertificationDbContext>();
                    var officer = userName is null ? null : await db.Officers.AsNoTracking().SingleOrDefaultAsync(x => x.UserName == userName && x.Active);
                    if (officer is null)
                    {
                        context.Fail("No officer account for this SSO user.");
                        return;
                    }
                    context.Principal = new ClaimsPrincipal(new ClaimsIdentity(OfficerClaims.For(officer), Schemes.Cookie, "name", OfficerClaims.Role));
                };
            });
        }

        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Officer, p => p.AddAuthenticationSchemes(Schemes.Officer).RequireAuthenticatedUser().RequireClaim(OfficerClaims.OfficerId))
            .AddPolicy(Policies.Certifier, p => p.AddAuthenticationSchemes(Schemes.Officer).RequireClaim(OfficerClaims.OfficerId).RequireRole("Certifier"))
            .AddPolicy(Policies.IntakeOrCertifier, p => p.AddAuthenticationSchemes(Schemes.Officer).RequireClaim(OfficerClaims.OfficerId).RequireRole("IntakeClerk", "Certifier"))
            .AddPolicy(Policies.SystemAdmin, p => p.AddAuthenticationSchemes(Schemes.Officer).RequireClaim(OfficerClaims.OfficerId).RequireRole("SystemAdmin"))
            .AddPolicy(Policies.Auditor, p => p.AddAuthenticationSchemes(Schemes.Officer).RequireClaim(OfficerClaims.OfficerId).RequireRole("SystemAdmin", "OfficeAdmin"))
            .AddPolicy(Policies.OnlineService, p => p.AddAuthenticationSchemes(Schemes.ApiKey).RequireClaim(ApiClientClaims.ClientId));
    }

    public static WebApplication UseCertificationPipeline(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<SecurityHeaders>();
        app.UseMiddleware<RequestLog>();
        app.UseMiddleware<TokenKeyGuard>();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        return app;
    }

    public static WebApplication MapCertificationEndpoints(this WebApplication app)
    {
        var demo = app.Services.GetRequiredService<IOptions<CertificationOptions>>().Value.Demo;
        app.MapGet("/health", (Readiness readiness, TrustServiceHealth trust, NodeKeys keys) => readiness.IsReady
                ? Results.Ok(DependencyReport(trust, keys))
                : Results.Problem(statusCode: 503, title: "Starting", type: ProblemTypes.SigningUnavailable.Uri))
            .AllowAnonymous().WithTags("Operations");
        app.MapHealthApi();
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference().AllowAnonymous();
        app.MapAuthApi();
        app.MapCertificationsApi();
        app.MapScanInspectionApi();
        app.MapRefusalsApi();
        app.MapBooksApi();
        app.MapCopiesApi();
        app.MapSharesApi();
        app.MapCitizenSignIn();
        app.MapCitizenApi();
        app.MapEventsApi();
        app.MapVerificationsApi();
        app.MapAuditApi();
        app.MapAdminApi();
        app.MapTrustApi(demo);
        return app;
    }

    /// <summary>The <c>/health</c> body once started (always 200: verifications need none of these): <c>ready</c>, or
    /// <c>degraded</c> while a dependency is degraded or unhealthy, each named with its state.</summary>
    private static object DependencyReport(TrustServiceHealth trust, NodeKeys keys)
    {
        var dependencies = new Dictionary<string, object>(trust.Report())
        {
            ["signingKeys"] = new { status = keys.SigningKeyProblem is null ? "ok" : "unhealthy", problem = keys.SigningKeyProblem },
            ["tokenKey"] = new { status = keys.TokenKeyProblem is null ? "ok" : "unhealthy", problem = keys.TokenKeyProblem },
        };
        var worst = trust.Services.Select(trust.StateOf).Max();
        var degraded = worst != DependencyState.Ok || keys.SigningKeyProblem is not null || keys.TokenKeyProblem is not null;
        return new { status = degraded ? "degraded" : "ready", dependencies };
    }
}

/// <summary>Headers every response carries; the API and the PKI endpoints need no scripts, frames or referrers.</summary>
public sealed class SecurityHeaders(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Cross-Origin-Resource-Policy"] = "same-origin";
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
        // The interactive API docs (Scalar) run scripts of their own; everything else needs none.
        if (!context.Request.Path.StartsWithSegments("/scalar"))
            headers.ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";
        if (context.Request.IsHttps) headers.StrictTransportSecurity = "max-age=31536000";
        return next(context);
    }
}

/// <summary>One structured line per request with the route template, never the raw path: paths can carry
/// citizens' access codes, which are secrets.</summary>
public sealed class RequestLog(RequestDelegate next, ILogger<RequestLog> log)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(no route)";
            log.LogInformation("HTTP {Method} {Route} -> {Status} in {ElapsedMs:0.0} ms ({Actor})", context.Request.Method, route, context.Response.StatusCode,
                Stopwatch.GetElapsedTime(start).TotalMilliseconds, AuditTrail.Actor(context.User));
        }
    }
}
