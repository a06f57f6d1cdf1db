namespace Certification.Cli;

/// <summary>Writes a file through a temporary sibling, flushed and renamed, so readers never see half a file.
/// The temporary file is readable too: signing by incremental update reads what it has written.</summary>
public static class AtomicFile
{
    public static async Task WriteAsync(string path, Func<FileStream, Task> write, CancellationToken ct)
    {
        var full = Path.GetFullPath(path);
        var temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.Asynchronous))
            {
                await write(stream);
                await stream.FlushAsync(ct);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }
}
