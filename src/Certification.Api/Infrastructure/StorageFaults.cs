namespace Certification.Api.Infrastructure;

/// <summary>Recognises the storage failures that are the operator's to fix (answered 507/503, not 500).</summary>
public static class StorageFaults
{
    // Linux errno values .NET puts in IOException.HResult for errors it has no specific type for.
    private const int NoSpace = 28; // ENOSPC
    private const int QuotaExceeded = 122; // EDQUOT
    private const int ReadOnlyFileSystem = 30; // EROFS

    public static bool IsFull(IOException e) => (e.HResult & 0xFFFF) is NoSpace or QuotaExceeded;

    public static bool IsReadOnly(Exception e) => e is IOException io && (io.HResult & 0xFFFF) == ReadOnlyFileSystem;
}

/// <summary>This node cannot decrypt a signing identity: its <c>Certification:KeyEncryptionKey</c> is not
/// the one the identity was stored with (another node's, or a rotated one).</summary>
public sealed class SigningKeyUnavailableException(string message, Exception inner) : Exception(message, inner);
