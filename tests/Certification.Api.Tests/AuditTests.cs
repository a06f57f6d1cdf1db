using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Xunit;

namespace Certification.Api.Tests;

/// <summary>The audit chain verifies; changing one row in the database makes verification (endpoint and
/// command) name that row.</summary>
public sealed class AuditTests
{
    [Fact]
    public async Task Chain_verifies_and_an_edited_row_is_named()
    {
        using var host = new ServiceHost();
        var officer = await host.SignInAsync("officer.commune");
        var copy = await ServiceHost.CertifyAsync(officer);
        await officer.PostAsJsonAsync($"/api/v1/certifications/{copy["id"]}/revocation", new { reason = "nhầm" });
        var admin = await host.SignInAsync("admin");
        await ServiceHost.ProblemAsync(await officer.GetAsync("/api/v1/audit/verification"), HttpStatusCode.Forbidden, "forbidden");

        var intact = await admin.GetFromJsonAsync<JsonObject>("/api/v1/audit/verification");
        Assert.True(intact!["valid"]!.GetValue<bool>(), intact.ToJsonString());
        var entries = await admin.GetFromJsonAsync<JsonArray>("/api/v1/audit/entries");
        Assert.Contains(entries!, e => e!["action"]!.GetValue<string>() == "certification.issued");
        Assert.Contains(entries!, e => e!["action"]!.GetValue<string>() == "certification.revoked" && e["actor"]!.GetValue<string>() == "officer:officer.commune");
        var revokedEntry = entries!.First(e => e!["action"]!.GetValue<string>() == "certification.revoked")!["id"]!.GetValue<long>();

        Assert.Equal(0, RunAuditVerify(host.Data.Path, out _));

        using (var connection = new SqliteConnection($"Data Source={host.DatabasePath};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            // An attacker with file access removes the append-only triggers and rewrites history.
            command.CommandText = "DROP TRIGGER AuditEntries_NoUpdate; UPDATE AuditEntries SET Details = '{\"reason\":\"nothing happened\"}' WHERE Id = $id;";
            command.Parameters.AddWithValue("$id", revokedEntry);
            Assert.Equal(1, command.ExecuteNonQuery());
        }
        var broken = await admin.GetFromJsonAsync<JsonObject>("/api/v1/audit/verification");
        Assert.False(broken!["valid"]!.GetValue<bool>());
        Assert.Equal(revokedEntry, broken["firstBrokenEntry"]!.GetValue<long>());
        Assert.Equal(1, RunAuditVerify(host.Data.Path, out var output));
        Assert.Contains($"entry {revokedEntry}", output);
    }

    [Fact]
    public void The_audit_log_is_append_only_in_the_database()
    {
        using var host = new ServiceHost();
        _ = host.CreateClient();
        using var connection = new SqliteConnection($"Data Source={host.DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM AuditEntries";
        Assert.Throws<SqliteException>(() => command.ExecuteNonQuery());
    }

    private static int RunAuditVerify(string dataDirectory, out string output)
    {
        var start = new ProcessStartInfo("dotnet", [NumberingTests.ServiceDll(), "audit", "verify", $"--Certification:DataDirectory={dataDirectory}",
            "--Certification:DemoSetup:PrintBanner=false"])
        { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit(60_000);
        output = stdout.Result + stderr.Result;
        return process.ExitCode;
    }
}
