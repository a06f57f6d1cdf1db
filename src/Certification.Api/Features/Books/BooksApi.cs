using Certification.Api.Domain;
using System.Security.Claims;
using Certification.Api.Features.Auth;
using Certification.Api.Features.Certifications;
using Certification.Api.Infrastructure;
using Certification.Api.Problems;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Certification.Api.Features.Books;

public sealed record BookResponse(int Id, string Label, string BookType, int Year, int Volume, long FirstNumber, long LastNumber, DateOnly OpenedOn, DateOnly? ClosedOn);

public sealed record BookEntryResponse(long Number, Guid CertificationId, DateOnly Date, string DocumentTitle, string Certifier, int PageCount, long Fee, string Status, string? Sha256);

public sealed record BookReport(BookResponse Book, IReadOnlyList<BookEntryResponse> Entries);

/// <summary>The certification book as a report, for the officers of its office.</summary>
public static class BooksApi
{
    public static IEndpointRouteBuilder MapBooksApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/books").WithTags("Books").RequireAuthorization(Policies.Officer);
        api.MapGet("/", List).WithSummary("The office's books (optionally one year)");
        api.MapGet("/{id:int}", Report).WithSummary("Every number of a book with its document and status");
        return app;
    }

    private static async Task<Ok<List<BookResponse>>> List(int? year, ClaimsPrincipal user, CertificationIntake intake, CertificationDbContext db, CancellationToken ct)
    {
        var officer = await intake.RequireOfficerAsync(user, ct);
        var books = await db.Books.AsNoTracking().Where(b => b.OfficeId == officer.OfficeId && (year == null || b.Year == year))
            .OrderBy(b => b.Year).ThenBy(b => b.Volume).ToListAsync(ct);
        return TypedResults.Ok(books.Select(ToResponse).ToList());
    }

    private static async Task<Results<Ok<BookReport>, ProblemHttpResult>> Report(int id, ClaimsPrincipal user, CertificationIntake intake, CertificationDbContext db, CancellationToken ct)
    {
        var officer = await intake.RequireOfficerAsync(user, ct);
        var book = await db.Books.AsNoTracking().SingleOrDefaultAsync(b => b.Id == id, ct);
        if (book is null) return Problem.Of(ProblemTypes.NotFound);
        if (book.OfficeId != officer.OfficeId) return Problem.Of(ProblemTypes.OtherOffice);
        var entries = await db.CertifiedCopies.AsNoTracking().EntriesOf(id)
            .Select(c => new BookEntryResponse(c.Number, c.Id, c.Date, c.Document!.Title, c.Certifier!.FullName, c.PageCount, c.Fee,
                c.Status.ToString(), c.Sha256))
            .ToListAsync(ct);
        return TypedResults.Ok(new BookReport(ToResponse(book), entries.Select(e => e with { Status = e.Status.ToLowerInvariant() }).ToList()));
    }

    private static BookResponse ToResponse(Domain.CertificationBook b) =>
        new(b.Id, b.Label, b.BookType, b.Year, b.Volume, b.FirstNumber, b.LastNumber, b.OpenedOn, b.ClosedOn);
}
