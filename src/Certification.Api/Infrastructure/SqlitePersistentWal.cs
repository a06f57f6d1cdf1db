using System.Data.Common;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Certification.Api.Infrastructure;

/// <summary>
/// Keeps SQLite's <c>-wal</c> and <c>-shm</c> files when the last connection closes (SQLITE_FCNTL_PERSIST_WAL,
/// sqlite.org/c3ref/c_fcntl_begin_atomic_write.html). Without them a WAL database cannot be opened on a read-only file
/// system (SQLITE_CANTOPEN; sqlite.org/wal.html, "Read-Only Databases"), so a data directory turned read-only would
/// stop verifications and sign-ins as well; with them the registry stays readable and only writes are refused
/// (SQLITE_READONLY, answered <c>storage-read-only</c>).
/// </summary>
public sealed class SqlitePersistentWal : DbConnectionInterceptor
{
    public static readonly SqlitePersistentWal Instance = new();

    private const int PersistWal = 10; // SQLITE_FCNTL_PERSIST_WAL

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Persist(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken)
    {
        Persist(connection);
        return Task.CompletedTask;
    }

    private static void Persist(DbConnection connection)
    {
        if (connection is not SqliteConnection { Handle: { } handle }) return;
        var on = 1;
        sqlite3_file_control(handle.DangerousGetHandle(), "main", PersistWal, ref on);
    }

    // SQLitePCLRaw does not wrap sqlite3_file_control; the e_sqlite3 library it loads exports it.
    [DllImport("e_sqlite3", CallingConvention = CallingConvention.Cdecl)]
    private static extern int sqlite3_file_control(IntPtr db, [MarshalAs(UnmanagedType.LPUTF8Str)] string name, int op, ref int arg);
}
