using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Claims;
using Certification.Api.Domain;
using Certification.Api.Features.Auth;
using Certification.Api.Features.Certifications;
using Certification.Api.Infrastructure;
using Certification.Api.Options;
using Certification.Api.Problems;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Certification.Api.Web;

/// <summary>
/// The web pages (Razor Pages under <c>Pages/</c>, scripts and styles under <c>wwwroot/</c>) for officers,
/// citizens and verifiers, served by the same process as the API. The pages call the service's own code
/// paths (the certification workflow, the registry, the verifier); the upload scripts post to the API with
/// the officer's cookie (SameSite=Strict).
/// </summary>
public static class WebPages
{
    /// <summary>Pages may load their own scripts, styles, images and (rendered) pages, nothing else; the API keeps its stricter policy.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; img-src 'self' data: blob:; script-src 'self'; style-src 'self'; object-src 'none'; " +
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    public static IServiceCollection AddCertificationWebPages(this IServiceCollection services)
    {
        services.AddRazorPages();
        services.AddSingleton<PageRenderer>();
        return services;
    }

    public static WebApplication UseCertificationWebPages(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            // Only the pages (HTML) get the policy that lets them load their own script, styles and images; every
            // other response (API, PDFs, PKI, health) keeps the service's "default-src 'none'".
            if (!context.Request.Path.StartsWithSegments("/scalar"))
                context.Response.OnStarting(() =>
                {
                    if (context.Response.ContentType?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) == true)
                        context.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
                    return Task.CompletedTask;
                });
            var lang = context.Request.Query["lang"].ToString();
            if (lang is Language.English or Language.Vietnamese)
            {
                context.Items[Language.Cookie] = lang;
                context.Response.Cookies.Append(Language.Cookie, lang, new CookieOptions
                    { HttpOnly = true, SameSite = SameSiteMode.Lax, MaxAge = TimeSpan.FromDays(365), IsEssential = true });
            }
            return next(context);
        });
        app.UseStaticFiles();
        return app;
    }

    public static WebApplication MapCertificationWebPages(this WebApplication app)
    {
        app.MapRazorPages();
        var citizen = app.MapGroup("/c/{accessCode}").AllowAnonymous().RequireRateLimiting(RateLimits.CopyLookup).ExcludeFromDescription();
        citizen.MapGet("/pdf", CitizenPdf);
        citizen.MapGet("/pages/{page:int}.png", CitizenPage);
        var officer = app.MapGroup("/console").RequireAuthorization(Policies.Officer).ExcludeFromDescription();
        officer.MapGet("/copies/{id:guid}/pdf", OfficerPdf);
        officer.MapGet("/copies/{id:guid}/pages/{page:int}.png", OfficerPage);
        officer.MapPost("/scans/preview", PreviewScans).RequireAuthorization(Policies.IntakeOrCertifier);
        return app;
    }

    /// <summary>A copy by its access code, as the citizens' API finds it (unknown, malformed and unfinished answer the same).</summary>
    public static async Task<CertifiedCopy?> FindCopyAsync(string accessCode, CertificationDbContext db, CancellationToken ct)
    {
        var normalised = AccessCodes.Normalise(accessCode);
        var hash = AccessCodes.Hash(normalised ?? accessCode);
        var copy = await db.CertifiedCopies.AsNoTracking().Include(c => c.Book).Include(c => c.Office).Include(c => c.Document).Include(c => c.Certifier)
            .SingleOrDefaultAsync(c => c.AccessCodeHash == hash, ct);
        return normalised is null || copy is null || copy.Status == CertificationStatus.AwaitingSignature ? null : copy;
    }

    private static async Task<IResult> CitizenPdf(string accessCode, bool? download, CertificationDbContext db, IBlobStore blobs, HttpContext http, CancellationToken ct)
    {
        var copy = await FindCopyAsync(accessCode, db, ct);
        if (copy is null) return Problems.Problem.Of(ProblemTypes.CopyNotFound);
        if (copy.Status == CertificationStatus.Revoked) return Problems.Problem.Of(ProblemTypes.CopyRevoked);
        return Pdf(copy, blobs, http, download == true);
    }

    private static async Task<IResult> CitizenPage(string accessCode, int page, CertificationDbContext db, IBlobStore blobs, PageRenderer renderer, HttpContext http, CancellationToken ct)
    {
        var copy = await FindCopyAsync(accessCode, db, ct);
        if (copy is null || copy.Status == CertificationStatus.Revoked) return Problems.Problem.Of(ProblemTypes.CopyNotFound);
        return await PageImageAsync(copy, page, blobs, renderer, http, ct);
    }

    private static async Task<(CertifiedCopy?, IResult?)> OfficersCopyAsync(Guid id, ClaimsPrincipal user, CertificationDbContext db, CancellationToken ct)
    {
        var copy = await db.CertifiedCopies.AsNoTracking().Include(c => c.Book).SingleOrDefaultAsync(c => c.Id == id, ct);
        if (copy?.Sha256 is null) return (null, Problems.Problem.Of(ProblemTypes.NotFound));
        var officeId = int.TryParse(user.FindFirstValue(OfficerClaims.OfficeId), out var o) ? o : (int?)null;
        if (copy.OfficeId != officeId) return (null, Problems.Problem.Of(ProblemTypes.OtherOffice));
        return (copy, null);
    }

    private static async Task<IResult> OfficerPdf(Guid id, bool? download, ClaimsPrincipal user, CertificationDbContext db, IBlobStore blobs, HttpContext http, CancellationToken ct)
    {
        var (copy, problem) = await OfficersCopyAsync(id, user, db, ct);
        return problem ?? Pdf(copy!, blobs, http, download == true);
    }

    private static async Task<IResult> OfficerPage(Guid id, int page, ClaimsPrincipal user, CertificationDbContext db, IBlobStore blobs, PageRenderer renderer, HttpContext http, CancellationToken ct)
    {
        var (copy, problem) = await OfficersCopyAsync(id, user, db, ct);
        return problem ?? await PageImageAsync(copy!, page, blobs, renderer, http, ct);
    }

    private static IResult Pdf(CertifiedCopy copy, IBlobStore blobs, HttpContext http, bool download)
    {
        if (copy.Sha256 is null || blobs.OpenRead(copy.Sha256) is not { } stream) return Problems.Problem.Of(ProblemTypes.CopyNotFound);
        http.Response.Headers.CacheControl = "no-store";
        // Shown by the browser's own PDF viewer when viewed; a file name when downloaded. A PDF is not an HTML
        // document (nosniff keeps it from being read as one, X-Frame-Options still forbids framing), and some
        // browsers' built-in viewers do not render under "default-src 'none'", so the inline view goes without CSP.
        if (!download) http.Response.Headers.Remove("Content-Security-Policy");
        return download
            ? TypedResults.File(stream, "application/pdf", CertificationsApi.FileName(copy))
            : TypedResults.Stream(stream, "application/pdf");
    }

    private static async Task<IResult> PageImageAsync(CertifiedCopy copy, int page, IBlobStore blobs, PageRenderer renderer, HttpContext http, CancellationToken ct)
    {
        if (page < 1 || page > copy.PageCount + 2 || copy.Sha256 is null) return Problems.Problem.Of(ProblemTypes.NotFound);
        var pages = await renderer.RenderAsync(copy.Sha256, async () =>
        {
            await using var stream = blobs.OpenRead(copy.Sha256);
            using var buffer = new MemoryStream();
            if (stream is not null) await stream.CopyToAsync(buffer, ct);
            return buffer.ToArray();
        }, ct);
        if (page > pages.Count) return Problems.Problem.Of(ProblemTypes.NotFound);
        http.Response.Headers.CacheControl = "private, max-age=600";
        return TypedResults.File(pages[page - 1], "image/png");
    }

    /// <summary>Checks the scans with the same intake the certification runs (so a refused scan is explained before
    /// anything is signed) and returns what the preview needs: pages per file, and PDF pages rendered as images.</summary>
    private static async Task<IResult> PreviewScans(HttpRequest http, Certification.Signing.Documents.CertifiedCopyIssuer issuer, PageRenderer renderer, IOptions<CertificationOptions> options, CancellationToken ct)
    {
        var form = await Uploads.ReadFormAsync(http, ct);
        var files = await Uploads.FilesAsync(form, "files", options.Value.Limits.MaxFiles, ct);
        var result = new List<PreviewFile>();
        foreach (var file in files)
        {
            var pages = issuer.Composer.Intake.Inspect([file]).Count;
            var bytes = file.Content.ToArray();
            var format = bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]) ? "jpeg"
                : bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47]) ? "png"
                : bytes.AsSpan().StartsWith("II*\0"u8) || bytes.AsSpan().StartsWith("MM\0*"u8) ? "tiff" : "pdf";
            var images = new List<string>();
            if (format == "pdf")
            {
                var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
                foreach (var png in await renderer.RenderAsync("scan-" + sha, () => Task.FromResult(bytes), ct))
                    images.Add("data:image/png;base64," + Convert.ToBase64String(png));
            }
            result.Add(new PreviewFile(file.FileName, format, pages, images));
        }
        return TypedResults.Ok(new { files = result, pageCount = result.Sum(f => f.Pages) });
    }
}

public sealed record PreviewFile(string Name, string Format, int Pages, IReadOnlyList<string> Images);

/// <summary>Renders PDF pages to small PNGs with poppler's <c>pdftoppm</c> (when installed), cached by content hash.
/// Without it the pages offer the PDF itself.</summary>
public sealed class PageRenderer(ILogger<PageRenderer> log)
{
    private const int MaxCached = 64;
    private readonly ConcurrentDictionary<string, IReadOnlyList<byte[]>> _cache = new(StringComparer.Ordinal);
    private static readonly string? Tool = new[] { "/usr/bin/pdftoppm", "/usr/local/bin/pdftoppm" }.FirstOrDefault(File.Exists);

    public static bool Available => Tool is not null;

    public async Task<IReadOnlyList<byte[]>> RenderAsync(string key, Func<Task<byte[]>> pdf, CancellationToken ct)
    {
        if (_cache.TryGetValue(key, out var cached)) return cached;
        if (Tool is null) return [];
        var dir = Directory.CreateTempSubdirectory("certification-pages-");
        try
        {
            var input = Path.Combine(dir.FullName, "in.pdf");
            await File.WriteAllBytesAsync(input, await pdf(), ct);
            var start = new ProcessStartInfo(Tool) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var a in new[] { "-r", "50", "-l", "50", "-png", input, Path.Combine(dir.FullName, "page") }) start.ArgumentList.Add(a);
            using var process = Process.Start(start)!;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(timeout.Token);
            if (process.ExitCode != 0) log.LogWarning("pdftoppm exited with {Code}", process.ExitCode);
            var pages = Directory.GetFiles(dir.FullName, "page*.png").OrderBy(f => f.Length).ThenBy(f => f, StringComparer.Ordinal)
                .Select(File.ReadAllBytes).ToList();
            if (_cache.Count >= MaxCached) _cache.Clear();
            _cache[key] = pages;
            return pages;
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
