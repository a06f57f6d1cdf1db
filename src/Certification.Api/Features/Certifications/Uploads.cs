using System.Buffers;
using Certification.Signing.Documents;
using Certification.Api.Problems;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Certification.Api.Features.Certifications;

/// <summary>Reads multipart uploads by hand (no form binding, so no antiforgery coupling for API clients;
/// the cookie is SameSite=Strict for the browser case).</summary>
public static class Uploads
{
    /// <summary>Form fields besides files, as ASP.NET Core's form reader allows (<c>FormOptions.ValueCountLimit</c>).</summary>
    private const int MaxFields = 64;

    private const int MaxFieldBytes = 64 * 1024;

    /// <summary>The multipart body read straight from the request into pooled memory: the files in
    /// <paramref name="fileField"/> (at most <paramref name="maxFiles"/>) and the other fields. No temporary file, no
    /// second copy; the memory goes back to the pool when the response is done.</summary>
    public static async Task<MultipartUpload> ReadAsync(HttpRequest request, string fileField, int maxFiles, long maxBytes, CancellationToken ct)
    {
        if (!request.HasFormContentType) throw new ProblemException(ProblemTypes.UnsupportedMediaType, "Send multipart/form-data.");
        var boundary = MediaTypeHeaderValue.TryParse(request.ContentType, out var type) ? HeaderUtilities.RemoveQuotes(type.Boundary).Value : null;
        // An url-encoded form carries no file.
        if (string.IsNullOrEmpty(boundary)) throw NoFiles(fileField);
        if (request.ContentLength > maxBytes) throw new InvalidDataException("The multipart body exceeds the request limit.");

        var upload = new MultipartUpload(request.ContentLength is { } length ? (int)length : 1 << 20, maxBytes);
        request.HttpContext.Response.RegisterForDispose(upload);
        var reader = new MultipartReader(boundary, request.Body) { BodyLengthLimit = maxBytes };
        var files = new List<ScanFile>();
        while (await reader.ReadNextSectionAsync(ct) is { } section)
        {
            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)) continue;
            var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
            if (disposition.IsFileDisposition())
            {
                var content = await upload.ReadPartAsync(section.Body, ct);
                if (name != fileField) continue;
                if (files.Count == maxFiles) throw new ProblemException(ProblemTypes.TooManyFiles, $"At most {maxFiles} files.");
                var fileName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value;
                files.Add(new ScanFile(Path.GetFileName(string.IsNullOrEmpty(fileName) ? "scan" : fileName), content));
            }
            else if (disposition.IsFormDisposition())
            {
                if (upload.Fields.Count == MaxFields) throw new InvalidDataException("Too many form fields.");
                using var text = new StreamReader(section.Body);
                var value = await ReadLimitedAsync(text, ct);
                upload.Fields[name] = upload.Fields.TryGetValue(name, out var earlier) ? $"{earlier},{value}" : value;
            }
        }
        if (files.Count == 0) throw NoFiles(fileField);
        upload.Files = files;
        return upload;
    }

    private static async Task<string> ReadLimitedAsync(StreamReader text, CancellationToken ct)
    {
        var buffer = new char[MaxFieldBytes + 1];
        var read = 0;
        for (int n; read < buffer.Length && (n = await text.ReadAsync(buffer.AsMemory(read), ct)) > 0;) read += n;
        if (read > MaxFieldBytes) throw new InvalidDataException("A form field exceeds the limit.");
        return new string(buffer, 0, read);
    }

    private static ProblemException NoFiles(string name) => new(ProblemTypes.NoFiles, $"Upload one or more files as '{name}'.");

    public static async Task<IFormCollection> ReadFormAsync(HttpRequest request, CancellationToken ct)
    {
        if (!request.HasFormContentType) throw new ProblemException(ProblemTypes.UnsupportedMediaType, "Send multipart/form-data.");
        return await request.ReadFormAsync(ct);
    }

    public static async Task<IReadOnlyList<ScanFile>> FilesAsync(IFormCollection form, string name, int maxFiles, CancellationToken ct)
    {
        var files = form.Files.GetFiles(name);
        if (files.Count == 0) throw NoFiles(name);
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

/// <summary>A multipart body held in pooled buffers (one, sized by Content-Length, for the usual request): the files
/// are slices of it. Disposed with the response (<see cref="HttpResponse.RegisterForDispose"/>).</summary>
public sealed class MultipartUpload(int expectedBytes, long maxBytes) : IDisposable
{
    private readonly List<byte[]> _buffers = [ArrayPool<byte>.Shared.Rent(Math.Max(expectedBytes, 4096))];
    private int _used;
    private long _total;

    public IReadOnlyList<ScanFile> Files { get; internal set; } = [];

    public Dictionary<string, string> Fields { get; } = new(StringComparer.Ordinal);

    public string Field(string name) => Fields.GetValueOrDefault(name, "");

    /// <summary>Reads one part to its end into the current buffer (a larger one when it does not fit).</summary>
    internal async Task<ReadOnlyMemory<byte>> ReadPartAsync(Stream part, CancellationToken ct)
    {
        var start = _used;
        while (true)
        {
            var buffer = _buffers[^1];
            if (_used == buffer.Length)
            {
                // Only without (or with a wrong) Content-Length: move the part read so far into a buffer twice the size.
                var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(Array.MaxLength, 2L * buffer.Length + 1));
                buffer.AsSpan(start, _used - start).CopyTo(larger);
                _used -= start;
                start = 0;
                _buffers.Add(larger);
                buffer = larger;
            }
            var read = await part.ReadAsync(buffer.AsMemory(_used), ct);
            if (read == 0) return buffer.AsMemory(start, _used - start);
            _used += read;
            if ((_total += read) > maxBytes) throw new InvalidDataException("The multipart body exceeds the request limit.");
        }
    }

    public void Dispose()
    {
        foreach (var buffer in _buffers) ArrayPool<byte>.Shared.Return(buffer);
        _buffers.Clear();
    }
}
