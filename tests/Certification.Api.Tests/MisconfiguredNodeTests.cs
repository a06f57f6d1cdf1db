using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Certification.Api.Tests;

/// <summary>
/// [resilience] point 5: a second node on the same PostgreSQL whose <c>Certification__KeyEncryptionKey</c> (or
/// <c>Certification__Auth__TokenSigningKey</c>) differs from the first's says so at start in one log line naming the
/// setting, reports it in <c>/health</c>, and answers certifications 503 with its own problem type without taking a
/// number, never 500; with <c>Certification:Startup:RefuseUnopenableKeys</c> it refuses to start.
/// </summary>
public sealed class MisconfiguredNodeTests
{
    private static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    [Fact]
    public async Task A_node_with_another_key_encryption_key_or_token_key_says_so_and_answers_503_without_taking_a_number()
    {
        using var database = TestPostgres.CreateDatabase();
        var (kek, token) = (NewKey(), NewKey());
        Dictionary<string, string?> Node(string kek, string token)
        {
            var settings = database.Settings();
            settings["Certification:KeyEncryptionKey"] = kek;
            settings["Certification:Auth:TokenSigningKey"] = token;
            return settings;
        }

        using var first = new ServiceHost(settings: Node(kek, token));
        var officer = await first.SignInAsync("officer.commune");
        await ServiceHost.CertifyAsync(officer, "Nút đầu");
        var last = await TrustServiceFaultTests.LastNumberAsync(officer);
        Assert.Equal("ready", (await first.CreateClient().GetFromJsonAsync<JsonObject>("/health"))!["status"]!.GetValue<string>());

        // Another key encryption key: the signing identities do not open.
        var log = new CapturedLog();
        using (var second = new ServiceHost(settings: Node(NewKey(), token), services: s => s.AddSingleton<ILoggerProvider>(log)))
        {
            var health = await second.CreateClient().GetFromJsonAsync<JsonObject>("/health");
            Assert.Equal("degraded", health!["status"]!.GetValue<string>());
            Assert.Equal("unhealthy", health["dependencies"]!["signingKeys"]!["status"]!.GetValue<string>());
            Assert.Equal("ok", health["dependencies"]!["tokenKey"]!["status"]!.GetValue<string>());
            var line = Assert.Single(log.Lines, l => l.StartsWith("Misconfigured node", StringComparison.Ordinal));
            Assert.Contains("Certification__KeyEncryptionKey", line);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await second.CreateClient().GetAsync("/health/ready")).StatusCode);

            var response = await ServiceHost.PostCertificationAsync(await second.SignInAsync("officer.commune"), "Nút sai khóa", [Scans.Page(2)]);
            var problem = await ServiceHost.ProblemAsync(response, HttpStatusCode.ServiceUnavailable, "signing-key-unavailable");
            Assert.Contains("Certification__KeyEncryptionKey", problem["detail"]!.GetValue<string>());
            Assert.Equal(last, await TrustServiceFaultTests.LastNumberAsync(officer));
        }

        // Another token-signing key: its tokens and the other nodes' would not be accepted across nodes.
        log = new CapturedLog();
        using (var third = new ServiceHost(settings: Node(kek, NewKey()), services: s => s.AddSingleton<ILoggerProvider>(log)))
        {
            var health = await third.CreateClient().GetFromJsonAsync<JsonObject>("/health");
            Assert.Equal("unhealthy", health!["dependencies"]!["tokenKey"]!["status"]!.GetValue<string>());
            Assert.Equal("ok", health["dependencies"]!["signingKeys"]!["status"]!.GetValue<string>());
            Assert.Contains("Certification__Auth__TokenSigningKey", Assert.Single(log.Lines, l => l.StartsWith("Misconfigured node", StringComparison.Ordinal)));
            var client = third.CreateClient();
            client.DefaultRequestHeaders.Authorization = officer.DefaultRequestHeaders.Authorization;
            var response = await ServiceHost.PostCertificationAsync(client, "Nút sai khóa token", [Scans.Page(3)]);
            await ServiceHost.ProblemAsync(response, HttpStatusCode.ServiceUnavailable, "token-signing-key-unavailable");
            var signIn = await third.CreateClient().PostAsJsonAsync("/api/v1/auth/token", new { username = "officer.commune", password = "Demo@12345" });
            await ServiceHost.ProblemAsync(signIn, HttpStatusCode.ServiceUnavailable, "token-signing-key-unavailable");
            Assert.Equal(last, await TrustServiceFaultTests.LastNumberAsync(officer));
        }

        // Configured to refuse: the node does not start.
        var refusing = Node(NewKey(), token);
        refusing["Certification:Startup:RefuseUnopenableKeys"] = "true";
        using (var fourth = new ServiceHost(settings: refusing))
        {
            var error = await Assert.ThrowsAnyAsync<Exception>(async () => await fourth.CreateClient().GetAsync("/health"));
            Assert.Contains("Certification__KeyEncryptionKey", error.ToString());
        }

        // The first node went on all along.
        var next = await ServiceHost.CertifyAsync(officer, "Nút đầu tiếp tục");
        Assert.Equal(last + 1, next["certificationNumber"]!.GetValue<long>());
    }

    private sealed class CapturedLog : ILoggerProvider
    {
        public ConcurrentQueue<string> Queue { get; } = new();
        public IReadOnlyList<string> Lines => Queue.ToList();
        public ILogger CreateLogger(string categoryName) => new Logger(Queue);
        public void Dispose() { }

        private sealed class Logger(ConcurrentQueue<string> queue) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                queue.Enqueue(formatter(state, exception));
        }
    }
}
