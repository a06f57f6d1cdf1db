using Microsoft.Data.Sqlite;

namespace Certification.Api.Infrastructure;

/// <summary>Recognises the storage failures that are the operator's to fix (answered 507/503, not 500): from the
/// file system (the blob store, scratch files) and from SQLite, also when wrapped (EF Core's DbUpdateException).</summary>
public static class StorageFaults
{
    // Linux errno values .NET puts in IOException.HResult for errors it has no specific type for.
    private const int NoSpace = 28; // ENOSPC
    private const int QuotaExceeded = 122; // EDQUOT
    private const int ReadOnlyFileSystem = 30; // EROFS

    // SQLite primary result codes (sqlite.org/rescode.html); extended codes share the low byte.
    private const int SqliteReadOnly = 8; // SQLITE_READONLY: the file (or its directory) cannot be written
    private const int SqliteFull = 13; // SQLITE_FULL: a write failed for lack of space (ENOSPC, EDQUOT)

    public static bool IsFull(Exception e) => Causes(e).Any(c => c switch
    {
        IOException io => (io.HResult & 0xFFFF) is NoSpace or QuotaExceeded,
        SqliteException s => s.SqliteErrorCode == SqliteFull,
        _ => false,
    });

    public static bool IsReadOnly(Exception e) => Causes(e).Any(c => c switch
    {
        IOException io => (io.HResult & 0xFFFF) == ReadOnlyFileSystem,
        SqliteException s => s.SqliteErrorCode == SqliteReadOnly,
        _ => false,
    });

    private static IEnumerable<Exception> Causes(Exception e)
    {
        for (var cause = e; cause is not null; cause = cause.InnerException) yield return cause;
    }
}

/// <summary>This node cannot decrypt a signing identity: its <c>Certification:KeyEncryptionKey</c> is not
/// the one the identity was stored with (another node's, or a rotated one).</summary>
public sealed class SigningKeyUnavailableException(string message, Exception inner) : Exception(message, inner);
