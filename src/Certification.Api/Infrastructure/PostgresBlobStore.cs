using System.Security.Cryptography;
using Npgsql;
using NpgsqlTypes;

namespace Certification.Api.Infrastructure;

/// <summary>
/// Content-addressed blobs in a PostgreSQL table that every node shares: <c>blobs(sha256 PRIMARY KEY, content
/// bytea, size, stored_at)</c>. A put is one autocommitted <c>INSERT … ON CONFLICT DO NOTHING</c>: nothing is
/// visible before the commit and a committed row is whole (PostgreSQL's WAL makes it durable before the call
/// returns), so readers see either no blob or the complete one; storing the same bytes twice keeps one row.
/// </summary>
public sealed class PostgresBlobStore : IBlobStore, IDisposable
{
    private readonly NpgsqlDataSource _source;
    private readonly Lazy<Task> _schema;

    public PostgresBlobStore(string connectionString)
    {
        _source = NpgsqlDataSource.Create(connectionString);
        _schema = new Lazy<Task>(() => ExecuteAsync(
            """
            CREATE TABLE IF NOT EXISTS certification_blobs (
                sha256 char(64) PRIMARY KEY,
                content bytea NOT NULL,
                size bigint NOT NULL,
                stored_at timestamptz NOT NULL DEFAULT now());
            """, null, CancellationToken.None));
    }

    public async Task EnsureSchemaAsync(CancellationToken ct = default)
    {
        try
        {
            await _schema.Value.WaitAsync(ct);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UniqueViolation)
        {
            // Two nodes created the table at the same moment: it exists now.
        }
    }

    public Task<string> PutAsync(ReadOnlyMemory<byte> content, CancellationToken ct = default) =>
        InsertAsync(Convert.ToHexStringLower(SHA256.HashData(content.Span)),
            new NpgsqlParameter<ReadOnlyMemory<byte>> { TypedValue = content, NpgsqlDbType = NpgsqlDbType.Bytea }, content.Length, ct);

    /// <summary>Npgsql sends a seekable stream's bytes to the server as it reads them (the bytea is not built in memory).</summary>
    public async Task<string> PutAsync(Stream content, CancellationToken ct = default)
    {
        content.Position = 0;
        var sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(content, ct));
        content.Position = 0;
        return await InsertAsync(sha, new NpgsqlParameter { Value = content, NpgsqlDbType = NpgsqlDbType.Bytea }, content.Length, ct);
    }

    private async Task<string> InsertAsync(string sha, NpgsqlParameter content, long length, CancellationToken ct)
    {
        await EnsureSchemaAsync(ct);
        await using var command = _source.CreateCommand(
            "INSERT INTO certification_blobs (sha256, content, size) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING");
        command.Parameters.Add(new NpgsqlParameter { Value = sha });
        command.Parameters.Add(content);
        command.Parameters.Add(new NpgsqlParameter { Value = length });
        await command.ExecuteNonQueryAsync(ct);
        return sha;
    }

    public Stream? OpenRead(string sha256)
    {
        if (!IsName(sha256)) return null;
        EnsureSchemaAsync().GetAwaiter().GetResult();
        using var command = _source.CreateCommand("SELECT content FROM certification_blobs WHERE sha256 = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = sha256 });
        return command.ExecuteScalar() is byte[] bytes ? new MemoryStream(bytes, writable: false) : null;
    }

    public bool Exists(string sha256)
    {
        if (!IsName(sha256)) return false;
        EnsureSchemaAsync().GetAwaiter().GetResult();
        using var command = _source.CreateCommand("SELECT 1 FROM certification_blobs WHERE sha256 = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = sha256 });
        return command.ExecuteScalar() is not null;
    }

    public IEnumerable<string> List() => ListStoredBefore(DateTimeOffset.MaxValue);

    public IEnumerable<string> ListStoredBefore(DateTimeOffset before)
    {
        EnsureSchemaAsync().GetAwaiter().GetResult();
        var all = before == DateTimeOffset.MaxValue;
        using var command = _source.CreateCommand(all ? "SELECT sha256 FROM certification_blobs" : "SELECT sha256 FROM certification_blobs WHERE stored_at < $1");
        if (!all) command.Parameters.Add(new NpgsqlParameter { Value = before.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        using var reader = command.ExecuteReader();
        var names = new List<string>();
        while (reader.Read()) names.Add(reader.GetString(0).Trim());
        return names;
    }

    public void Delete(string sha256)
    {
        if (!IsName(sha256)) return;
        using var command = _source.CreateCommand("DELETE FROM certification_blobs WHERE sha256 = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = sha256 });
        command.ExecuteNonQuery();
    }

    /// <summary>An insert either commits whole or not at all: there are no unfinished writes to remove.</summary>
    public int DeleteUnfinishedWrites(DateTimeOffset before) => 0;

    public async Task CheckAsync(CancellationToken ct)
    {
        await EnsureSchemaAsync(ct);
        await ExecuteAsync("SELECT count(*) FROM (SELECT 1 FROM certification_blobs LIMIT 1) probe", null, ct);
    }

    private async Task ExecuteAsync(string sql, object? parameter, CancellationToken ct)
    {
        await using var command = _source.CreateCommand(sql);
        if (parameter is not null) command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        await command.ExecuteNonQueryAsync(ct);
    }

    private static bool IsName(string sha) => sha.Length == 64 && sha.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');

    public void Dispose() => _source.Dispose();
}
