namespace Certification.Api.Pages;

public sealed class IndexModel : WebPage
{
    public void OnGet() { }
}
