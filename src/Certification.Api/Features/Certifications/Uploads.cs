using Certification.Signing.Documents;
using Certification.Api.Problems;

namespace Certification.Api.Features.Certifications;

/// <summary>Reads multipart uploads by hand (no form binding, so no antiforgery coupling for API clients;
/// the cookie is SameSite=Strict for the browser case).</summary>
public static class Uploads
{
    public static async Task<IFormCollection> ReadFormAsync(HttpRequest request, CancellationToken ct)
    {
        if (!request.HasFormContentType) throw new ProblemException(ProblemTypes.UnsupportedMediaType, "Send multipart/form-data.");
        return await request.ReadFormAsync(ct);
    }

    public static async Task<IReadOnlyList<ScanFile>> FilesAsync(IFormCollection form, string name, int maxFiles, CancellationToken ct)
    {
        var files = form.Files.GetFiles(name);
        if (files.Count == 0) throw new ProblemException(ProblemTypes.NoFiles, $"Upload one or more files as '{name}'.");
        if (files.Count > maxFiles) throw new ProblemException(ProblemTypes.TooManyFiles, $"At most {maxFiles} files.");
        var result = new List<ScanFile>(files.Count);
        foreach (var file in files)
        {
            // ASP.NET Core keeps large parts in temporary files; each is read once into an array of its exact size.
            var content = new byte[file.Length];
            await using (var stream = file.OpenReadStream()) await stream.ReadExactlyAsync(content, ct);
            result.Add(new ScanFile(Path.GetFileName(file.FileName ?? "scan"), content));
        }
        return result;
    }

    public static string Field(IFormCollection form, string name) => form[name].ToString();
}
