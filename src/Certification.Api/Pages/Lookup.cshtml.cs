using Certification.Api.Features.Certifications;
using Microsoft.AspNetCore.Mvc;

namespace Certification.Api.Pages;

/// <summary>Where a citizen types the access code; a well-formed code goes to <c>/c/{code}</c>, the page the QR code opens.</summary>
public sealed class LookupModel : WebPage
{
    public override string Title => T("lookup.title");
    public string? Code { get; set; }

    public IActionResult OnGet(string? code)
    {
        Code = code;
        if (string.IsNullOrWhiteSpace(code)) return Page();
        if (AccessCodes.Normalise(code) is { } normalised) return Redirect("/c/" + normalised);
        Error = ProblemText("copy-not-found", 404);
        return Page();
    }
}
