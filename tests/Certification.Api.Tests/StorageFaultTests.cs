using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Certification.TestSupport;
using Microsoft.Data.Sqlite;
using Xunit;

namespace Certification.Api.Tests;

/// <summary>
/// [resilience] The service's data directory (the SQLite database and the file blobs, the demo defaults) on small real
/// tmpfs mounts: one for the directory (the database), one each for <c>scratch/</c> (the copy being signed) and
/// <c>blobs/</c> (the stored copies), so that each stage of a certification meets the fault in turn. The faulty one is
/// filled up or remounted read-only; a certification is then refused with 507 <c>storage-full</c> or 503
/// <c>storage-read-only</c>, no number is consumed and no stored copy is left without its entry, verifications go on
/// answering, and once space returns (or the file system is writable again) the next certification succeeds with the
/// next number, without a restart.
/// </summary>
public sealed class StorageFaultTests
{
    /// <summary>Where the fault is: the first write of a certification (scratch), the stored copy (blobs, after
    /// signing), or the database (the commit, after the copy was stored).</summary>
    public static TheoryData<string> Parts => new() { "scratch", "blobs", "database" };

    [Theory]
    [MemberData(nameof(Parts))]
    public async Task A_full_disk_refuses_certification_with_507_keeps_verifying_and_recovers_when_space_returns(string part)
    {
        using var mounts = new DataDirectoryMounts();
        using var host = new ServiceHost(data: mounts.Directory);
        var (officer, admin, pdf, verdict) = await CertifyOnceAsync(host);
        var before = await TrustServiceFaultTests.LastNumberAsync(officer);
        var blobsBefore = mounts.Blobs();

        var faulty = mounts.Of(part);
        if (part == "database") CheckpointAndTruncateWal(host);
        var filler = faulty.Fill();
        Console.WriteLine($"full {part}: tmpfs {faulty.SizeMegabytes} MB, filler {filler} bytes, {faulty.FreeBytes()} bytes free");
        await AssertRefusedAsync(officer, HttpStatusCode.InsufficientStorage, "storage-full");
        await AssertSignInAsync(host, part, HttpStatusCode.InsufficientStorage, "storage-full");
        Assert.Equal(before, await TrustServiceFaultTests.LastNumberAsync(officer));
        Assert.Equal(blobsBefore, mounts.Blobs());
        Assert.Empty(mounts.UnfinishedWrites());
        AssertSameVerdict(verdict, await ServiceHost.VerifyAsync(host.CreateClient(), pdf));
        await TrustServiceFaultTests.AssertConsistentAsync(admin);

        faulty.RemoveFiller();
        var next = await ServiceHost.CertifyAsync(officer, "Sau khi có chỗ");
        Assert.Equal(before + 1, next["certificationNumber"]!.GetValue<long>());
        await TrustServiceFaultTests.AssertConsistentAsync(admin);
    }

    [Theory]
    [MemberData(nameof(Parts))]
    public async Task A_read_only_disk_refuses_certification_with_503_keeps_verifying_and_recovers_when_writable_again(string part)
    {
        using var mounts = new DataDirectoryMounts();
        using var host = new ServiceHost(data: mounts.Directory);
        var (officer, admin, pdf, verdict) = await CertifyOnceAsync(host);
        var before = await TrustServiceFaultTests.LastNumberAsync(officer);
        var blobsBefore = mounts.Blobs();

        var faulty = mounts.Of(part);
        faulty.Remount("ro");
        await AssertRefusedAsync(officer, HttpStatusCode.ServiceUnavailable, "storage-read-only");
        await AssertSignInAsync(host, part, HttpStatusCode.ServiceUnavailable, "storage-read-only");
        Assert.Equal(before, await TrustServiceFaultTests.LastNumberAsync(officer));
        Assert.Equal(blobsBefore, mounts.Blobs());
        Assert.Empty(mounts.UnfinishedWrites());
        AssertSameVerdict(verdict, await ServiceHost.VerifyAsync(host.CreateClient(), pdf));
        await TrustServiceFaultTests.AssertConsistentAsync(admin);

        faulty.Remount("rw");
        var next = await ServiceHost.CertifyAsync(officer, "Sau khi ghi được");
        Assert.Equal(before + 1, next["certificationNumber"]!.GetValue<long>());
        await TrustServiceFaultTests.AssertConsistentAsync(admin);
    }

    /// <summary>Signs in (sign-in records failed attempts, so it is done while the disk is sound), certifies one copy and
    /// verifies it.</summary>
    private static async Task<(HttpClient Officer, HttpClient Admin, byte[] Pdf, JsonObject Verdict)> CertifyOnceAsync(ServiceHost host)
    {
        var officer = await host.SignInAsync("officer.commune");
        var admin = await host.SignInAsync("admin");
        var first = await ServiceHost.CertifyAsync(officer, "Trước sự cố đĩa");
        var pdf = await officer.GetByteArrayAsync($"/api/v1/certifications/{first["id"]}/document");
        return (officer, admin, pdf, await ServiceHost.VerifyAsync(host.CreateClient(), pdf));
    }

    private static async Task AssertRefusedAsync(HttpClient officer, HttpStatusCode status, string slug)
    {
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var response = await ServiceHost.PostCertificationAsync(officer, $"Sự cố đĩa {attempt}", [Scans.Page(1)]);
            await ServiceHost.ProblemAsync(response, status, slug);
        }
    }

    /// <summary>A sign-in is recorded in the audit trail, so with the database unwritable it is refused with the storage
    /// problem (not a 500); with only scratch/ or blobs/ at fault it goes through.</summary>
    private static async Task AssertSignInAsync(ServiceHost host, string part, HttpStatusCode status, string slug)
    {
        var response = await host.CreateClient().PostAsJsonAsync("/api/v1/auth/token", new { username = "admin", password = "Demo@12345" });
        if (part == "database") await ServiceHost.ProblemAsync(response, status, slug);
        else Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>Empties the WAL into the database and truncates it, so the next commit needs new blocks: otherwise it
    /// could reuse the space of the WAL's earlier frames and not meet the full disk.</summary>
    private static void CheckpointAndTruncateWal(ServiceHost host)
    {
        SqliteConnection.ClearAllPools();
        using var connection = new SqliteConnection($"Data Source={host.DatabasePath}");
        connection.Open();
        using var checkpoint = connection.CreateCommand();
        checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
        checkpoint.ExecuteNonQuery();
    }

    private static void AssertSameVerdict(JsonObject expected, JsonObject actual)
    {
        Assert.Equal("TOTAL_PASSED", actual["indication"]!.GetValue<string>());
        Assert.Equal(expected["indication"]!.GetValue<string>(), actual["indication"]!.GetValue<string>());
        Assert.Equal(expected["registry"]!.ToJsonString(), actual["registry"]!.ToJsonString());
    }

    /// <summary>The data directory on a tmpfs, with <c>scratch/</c> and <c>blobs/</c> on tmpfs mounts of their own.</summary>
    private sealed class DataDirectoryMounts : IDisposable
    {
        private readonly List<Tmpfs> _mounts = [];

        public DataDirectoryMounts()
        {
            Directory = new TempDirectory("certification-tmpfs");
            try
            {
                _mounts.Add(new Tmpfs(Directory.Path, "database", sizeMegabytes: 48));
                _mounts.Add(new Tmpfs(Directory.File("scratch"), "scratch", sizeMegabytes: 8));
                _mounts.Add(new Tmpfs(Directory.File("blobs"), "blobs", sizeMegabytes: 8));
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        public TempDirectory Directory { get; }

        public Tmpfs Of(string part) => _mounts.Single(m => m.Part == part);

        /// <summary>The stored copies (blob names under blobs/, the test's filler and the temporary files excluded).</summary>
        public IReadOnlyList<string> Blobs() =>
            System.IO.Directory.EnumerateFiles(Directory.File("blobs"), "*", SearchOption.AllDirectories)
                .Where(f => Path.GetFileName(Path.GetDirectoryName(f)) != "tmp").Select(f => Path.GetFileName(f))
                .Where(name => name.Length == 64).Order(StringComparer.Ordinal).ToList();

        /// <summary>Half-written copies the blob store left in blobs/tmp/.</summary>
        public IReadOnlyList<string> UnfinishedWrites() => System.IO.Directory.GetFiles(Directory.File("blobs/tmp"));

        public void Dispose()
        {
            SqliteConnection.ClearAllPools();
            for (var i = _mounts.Count - 1; i >= 0; i--) _mounts[i].Dispose();
            Directory.Dispose();
        }
    }

    /// <summary>A real tmpfs of a few megabytes (the test runs as root, or with password-less sudo). Not being able to
    /// mount is a failure, not a skip: the fault would go untested.</summary>
    private sealed class Tmpfs : IDisposable
    {
        private readonly string _path;
        private string? _filler;

        public Tmpfs(string path, string part, int sizeMegabytes)
        {
            (_path, Part, SizeMegabytes) = (path, part, sizeMegabytes);
            System.IO.Directory.CreateDirectory(path);
            var (code, output) = Run("mount", "-t", "tmpfs", "-o", $"size={sizeMegabytes}m,mode=0700", "tmpfs", path);
            Assert.True(code == 0, $"Cannot mount a {sizeMegabytes} MB tmpfs on {path} (needs root or password-less sudo): {output}");
        }

        public string Part { get; }
        public int SizeMegabytes { get; }

        public long FreeBytes() => new DriveInfo(_path).AvailableFreeSpace;

        /// <summary>Writes a filler file until the file system has no block left; returns its size.</summary>
        public long Fill()
        {
            _filler = Path.Combine(_path, "filler.bin");
            using var handle = File.OpenHandle(_filler, FileMode.CreateNew, FileAccess.Write);
            var offset = 0L;
            foreach (var chunk in new[] { 1 << 20, 4096 })
            {
                var zeros = new byte[chunk];
                while (true)
                {
                    try
                    {
                        RandomAccess.Write(handle, zeros, offset);
                        offset += chunk;
                    }
                    catch (IOException)
                    {
                        break;
                    }
                }
            }
            Assert.True(FreeBytes() < 8192, $"the tmpfs on {_path} still has {FreeBytes()} bytes free");
            return offset;
        }

        public void RemoveFiller()
        {
            File.Delete(_filler!);
            _filler = null;
        }

        /// <summary>Remounts read-only or read-write. A file system with files open for writing cannot become read-only
        /// (EBUSY), so the pooled SQLite connections are closed first; the service opens new ones as it needs them.</summary>
        public void Remount(string mode)
        {
            SqliteConnection.ClearAllPools();
            var (code, output) = Run("mount", "-o", $"remount,{mode}", _path);
            Assert.True(code == 0, $"remount,{mode} of {_path} failed: {output}");
        }

        public void Dispose()
        {
            if (Run("umount", _path).Code != 0) Run("umount", "-l", _path);
        }

        /// <summary>mount(8) or umount(8): directly as root, otherwise through sudo -n.</summary>
        private static (int Code, string Output) Run(string tool, params string[] arguments)
        {
            var asRoot = Environment.UserName == "root";
            var start = new ProcessStartInfo(asRoot ? tool : "sudo") { RedirectStandardOutput = true, RedirectStandardError = true };
            if (!asRoot) { start.ArgumentList.Add("-n"); start.ArgumentList.Add(tool); }
            foreach (var argument in arguments) start.ArgumentList.Add(argument);
            try
            {
                using var process = Process.Start(start)!;
                var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
                process.WaitForExit();
                return (process.ExitCode, output.Trim());
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                return (-1, e.Message);
            }
        }
    }
}
