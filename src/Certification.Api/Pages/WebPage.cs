using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Certification.Api.Features.Auth;
using Certification.Api.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Certification.Api.Pages;

/// <summary>What every page shares: the language, its texts, and a friendly message for a problem.</summary>
public abstract class WebPage : PageModel
{
    private static readonly TimeSpan Vietnam = TimeSpan.FromHours(7);

    public string Lang => Language.Of(HttpContext);
    public bool English => Lang == Language.English;
    public string T(string key) => Texts.Get(key, Lang);
    public string ProblemText(string? type, int status) => Texts.Problem(type, status, Lang);

    /// <summary>The page's title (before the application name).</summary>
    public virtual string Title => T("app.name");

    /// <summary>A problem shown on the page in words (set by the handlers).</summary>
    public string? Error { get; set; }

    public bool SignedIn => User.FindFirstValue(OfficerClaims.OfficerId) is not null;

    public string Date(DateOnly d) => d.ToString(English ? "d MMM yyyy" : "dd/MM/yyyy", English ? CultureInfo.GetCultureInfo("en-GB") : CultureInfo.InvariantCulture);
    public string Time(DateTimeOffset t) => t.ToOffset(Vietnam).ToString("dd/MM/yyyy HH:mm:ss", CultureInfo.InvariantCulture) + " (UTC+7)";
    public string Money(long dong) => dong.ToString("#,0", CultureInfo.GetCultureInfo(English ? "en-GB" : "vi-VN")) + " đ";

    /// <summary>The problem texts for the pages' scripts, as JSON in a data block (not executed; CSP allows no inline script).</summary>
    public string ProblemTableJson => JsonSerializer.Serialize(Texts.ProblemTable(Lang));

    /// <summary>The same page in the other language.</summary>
    public string SwitchLanguageUrl()
    {
        var query = Request.Query.Where(q => q.Key != "lang").Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value.ToString())}")
            .Append("lang=" + (English ? Language.Vietnamese : Language.English));
        return Request.PathBase + Request.Path + "?" + string.Join('&', query);
    }
}

/// <summary>A page for signed-in officers: others are sent to the sign-in page.</summary>
public abstract class ConsolePage : WebPage
{
    public int OfficerId => int.Parse(User.FindFirstValue(OfficerClaims.OfficerId)!, CultureInfo.InvariantCulture);
    public int? OfficeId => int.TryParse(User.FindFirstValue(OfficerClaims.OfficeId), out var id) ? id : null;

    public override async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        if (!SignedIn)
        {
            context.Result = new RedirectToPageResult("/SignIn", new { returnUrl = Request.Path + Request.QueryString });
            return;
        }
        await next();
    }
}
