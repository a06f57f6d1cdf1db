using System.Security.Cryptography;

namespace Certification.Api.Infrastructure;

/// <summary>Content-addressed storage of signed copies: a blob's name is the SHA-256 of its bytes.</summary>
public interface IBlobStore
{
    /// <summary>Stores the bytes durably and returns their SHA-256 (lower-case hex). Idempotent.</summary>
    Task<string> PutAsync(ReadOnlyMemory<byte> content, CancellationToken ct = default);

    /// <summary>Stores a seekable stream's whole content (read from its start) without holding it in memory.</summary>
    Task<string> PutAsync(Stream content, CancellationToken ct = default);

    /// <summary>Opens a stored blob, or null. Only complete blobs are ever visible.</summary>
    Stream? OpenRead(string sha256);

    bool Exists(string sha256);

    /// <summary>Every stored blob name (for the startup sweep of orphans).</summary>
    IEnumerable<string> List();

    void Delete(string sha256);

    /// <summary>Blobs stored before <paramref name="before"/> (orphan candidates: several nodes may share the
    /// store, and a young unreferenced blob may be another node's certification about to commit).</summary>
    IEnumerable<string> ListStoredBefore(DateTimeOffset before);

    /// <summary>Removes unfinished writes older than <paramref name="before"/> left by a crash; returns how many.</summary>
    int DeleteUnfinishedWrites(DateTimeOffset before);

    /// <summary>Throws when the store cannot be reached (readiness).</summary>
    Task CheckAsync(CancellationToken ct);
}

/// <summary>
/// Blobs under <c>blobs/ab/cd/abcd…</c>. A write goes to <c>blobs/tmp/</c>, is flushed to disk
/// (<see cref="FileStream.Flush(bool)"/> with flushToDisk), then renamed into place; rename is atomic on
/// POSIX file systems, so a reader sees either no file or the whole file. Leftover temporary files from a
/// crash are deleted at start.
/// </summary>
public sealed class FileSystemBlobStore : IBlobStore
{
    private readonly string _root;
    private readonly string _temporary;

    public FileSystemBlobStore(string root)
    {
        _root = root;
        _temporary = Path.Combine(root, "tmp");
        Directory.CreateDirectory(_temporary);
    }

    public Task<string> PutAsync(ReadOnlyMemory<byte> content, CancellationToken ct = default) =>
        StoreAsync(Convert.ToHexStringLower(SHA256.HashData(content.Span)), (stream, c) => stream.WriteAsync(content, c).AsTask(), ct);

    public async Task<string> PutAsync(Stream content, CancellationToken ct = default)
    {
        content.Position = 0;
        var sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(content, ct));
        content.Position = 0;
        return await StoreAsync(sha, content.CopyToAsync, ct);
    }

    private async Task<string> StoreAsync(string sha, Func<Stream, CancellationToken, Task> write, CancellationToken ct)
    {
        var path = PathOf(sha);
        if (File.Exists(path)) return sha;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = Path.Combine(_temporary, $"{sha}.{Guid.NewGuid():N}.tmp");
        try
        {
            await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous))
            {
                await write(stream, ct);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
            FlushDirectory(Path.GetDirectoryName(path)!);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
        return sha;
    }

    public Stream? OpenRead(string sha256)
    {
        if (!IsName(sha256)) return null;
        try
        {
            return new FileStream(PathOf(sha256), FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    public bool Exists(string sha256) => IsName(sha256) && File.Exists(PathOf(sha256));

    public IEnumerable<string> List() =>
        Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories)
            .Where(f => !f.StartsWith(_temporary, StringComparison.Ordinal))
            .Select(Path.GetFileName).OfType<string>().Where(IsName);

    public void Delete(string sha256)
    {
        if (IsName(sha256)) File.Delete(PathOf(sha256));
    }

    public IEnumerable<string> ListStoredBefore(DateTimeOffset before) =>
        Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories)
            .Where(f => !f.StartsWith(_temporary, StringComparison.Ordinal) && IsName(Path.GetFileName(f)) && File.GetLastWriteTimeUtc(f) < before.UtcDateTime)
            .Select(f => Path.GetFileName(f));

    public int DeleteUnfinishedWrites(DateTimeOffset before)
    {
        var count = 0;
        foreach (var file in Directory.EnumerateFiles(_temporary).Where(f => File.GetLastWriteTimeUtc(f) < before.UtcDateTime))
        {
            File.Delete(file);
            count++;
        }
        return count;
    }

    public Task CheckAsync(CancellationToken ct)
    {
        var probe = Path.Combine(_temporary, $"probe.{Guid.NewGuid():N}.tmp");
        File.WriteAllBytes(probe, [1]);
        File.Delete(probe);
        return Task.CompletedTask;
    }

    /// <summary>Removes temporary files left by a crash mid-write. Call before serving.</summary>
    public int DeleteTemporaryFiles()
    {
        var count = 0;
        foreach (var file in Directory.EnumerateFiles(_temporary))
        {
            File.Delete(file);
            count++;
        }
        return count;
    }

    private string PathOf(string sha) => Path.Combine(_root, sha[..2], sha[2..4], sha);

    private static bool IsName(string sha) => sha.Length == 64 && sha.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');

    /// <summary>fsync of the directory makes the rename itself durable (POSIX); best effort elsewhere.</summary>
    private static void FlushDirectory(string directory)
    {
        if (OperatingSystem.IsWindows()) return;
        try
        {
            using var handle = File.OpenHandle(directory, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, FileOptions.None);
            RandomAccess.FlushToDisk(handle);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Some file systems refuse to open directories; the data itself is already flushed.
        }
    }
}
