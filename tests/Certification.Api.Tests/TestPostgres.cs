using Npgsql;
using Xunit;

namespace Certification.Api.Tests;

/// <summary>The PostgreSQL server test.sh starts on loopback (CERTIFICATION_TEST_POSTGRES). Each test gets a
/// database of its own, dropped at the end. Without the server the PostgreSQL tests fail (they never skip).</summary>
public sealed class TestPostgres : IAsyncDisposable, IDisposable
{
    public const string Variable = "CERTIFICATION_TEST_POSTGRES";

    private TestPostgres(string server, string name)
    {
        Server = server;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = name, MaxPoolSize = 50 }.ConnectionString;
    }

    public string Server { get; }
    public string Name { get; }
    public string ConnectionString { get; }

    public static string ServerConnectionString()
    {
        var server = Environment.GetEnvironmentVariable(Variable);
        Assert.False(string.IsNullOrWhiteSpace(server),
            $"{Variable} is not set: run ./test.sh (it starts a throwaway PostgreSQL) or point it at a server, e.g. Host=127.0.0.1;Port=5432;Username=postgres;Database=postgres");
        return server!;
    }

    public static TestPostgres CreateDatabase()
    {
        var server = ServerConnectionString();
        var name = "certification_test_" + Guid.NewGuid().ToString("N")[..12];
        using var connection = new NpgsqlConnection(server);
        connection.Open();
        using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        command.ExecuteNonQuery();
        return new TestPostgres(server, name);
    }

    /// <summary>Settings that point the service at this database (registry and, optionally, blobs).</summary>
    public Dictionary<string, string?> Settings(bool blobs = false)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Certification:Database:Provider"] = "Postgres",
            ["ConnectionStrings:Certification"] = ConnectionString,
        };
        if (blobs) settings["Certification:Blobs:Provider"] = "Postgres";
        return settings;
    }

    public void Dispose()
    {
        try
        {
            NpgsqlConnection.ClearAllPools();
            using var connection = new NpgsqlConnection(Server);
            connection.Open();
            using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", connection);
            command.ExecuteNonQuery();
        }
        catch (NpgsqlException)
        {
            // The server is going away with the test run.
        }
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>Where a parameterised test keeps its data: <c>Sqlite</c> (file + file blobs), <c>Postgres</c>
/// (registry in PostgreSQL, file blobs) or <c>PostgresBlobs</c> (registry and blobs in PostgreSQL).</summary>
public static class Providers
{
    public static TheoryData<string> All => new() { "Sqlite", "Postgres", "PostgresBlobs" };

    public static (TestPostgres? Database, Dictionary<string, string?> Settings) For(string provider) => provider switch
    {
        "Sqlite" => (null, new Dictionary<string, string?>()),
        "Postgres" => With(blobs: false),
        "PostgresBlobs" => With(blobs: true),
        _ => throw new ArgumentOutOfRangeException(nameof(provider)),
    };

    private static (TestPostgres?, Dictionary<string, string?>) With(bool blobs)
    {
        var database = TestPostgres.CreateDatabase();
        return (database, database.Settings(blobs));
    }
}
