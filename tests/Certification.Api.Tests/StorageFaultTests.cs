using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Certification.TestSupport;
using Microsoft.Data.Sqlite;
using Xunit;

namespace Certification.Api.Tests;

/// <summary>
/// [resilience] The service's data directory (the SQLite database and the file blobs, the demo defaults) on a small
/// real tmpfs that the test fills up or remounts read-only. A certification is then refused with
/// 507 <c>storage-full</c> or 503 <c>storage-read-only</c>, no number is consumed and no stored copy is left without
/// its entry, verifications go on answering, and once space returns (or the file system is writable again) the next
/// certification succeeds with the next number, without a restart.
/// </summary>
public sealed class StorageFaultTests
{
    [Fact]
    public async Task A_full_data_directory_refuses_certification_with_507_keeps_verifying_and_recovers_when_space_returns()
    {
        using var tmpfs = new Tmpfs(sizeMegabytes: 64);
        using var host = new ServiceHost(data: tmpfs.Directory);
        var officer = await host.SignInAsync("officer.commune");
        var admin = await host.SignInAsync("admin");
        var first = await ServiceHost.CertifyAsync(officer, "Trước khi đầy đĩa");
        var pdf = await officer.GetByteArrayAsync($"/api/v1/certifications/{first["id"]}/document");
        var verdict = await ServiceHost.VerifyAsync(host.CreateClient(), pdf);
        var before = await TrustServiceFaultTests.LastNumberAsync(officer);
        var blobsBefore = tmpfs.Blobs();

        var filler = tmpfs.Fill();
        Console.WriteLine($"tmpfs {tmpfs.SizeMegabytes} MB: {tmpfs.UsedBytes() - filler} bytes used by the service, filler {filler} bytes, {tmpfs.FreeBytes()} bytes free");
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var response = await ServiceHost.PostCertificationAsync(officer, $"Đĩa đầy {attempt}", [Scans.Page(1)]);
            await ServiceHost.ProblemAsync(response, HttpStatusCode.InsufficientStorage, "storage-full");
        }
        Assert.Equal(before, await TrustServiceFaultTests.LastNumberAsync(officer));
        Assert.Equal(blobsBefore, tmpfs.Blobs());
        AssertSameVerdict(verdict, await ServiceHost.VerifyAsync(host.CreateClient(), pdf));

        tmpfs.RemoveFiller();
        var next = await ServiceHost.CertifyAsync(officer, "Sau khi có chỗ");
        Assert.Equal(before + 1, next["certificationNumber"]!.GetValue<long>());
        await TrustServiceFaultTests.AssertConsistentAsync(admin);
    }

    [Fact]
    public async Task A_read_only_data_directory_refuses_certification_with_503_keeps_verifying_and_recovers_when_writable_again()
    {
        using var tmpfs = new Tmpfs(sizeMegabytes: 64);
        using var host = new ServiceHost(data: tmpfs.Directory);
        var officer = await host.SignInAsync("officer.commune");
        var admin = await host.SignInAsync("admin");
        var first = await ServiceHost.CertifyAsync(officer, "Trước khi chỉ đọc");
        var pdf = await officer.GetByteArrayAsync($"/api/v1/certifications/{first["id"]}/document");
        var verdict = await ServiceHost.VerifyAsync(host.CreateClient(), pdf);
        var before = await TrustServiceFaultTests.LastNumberAsync(officer);
        var blobsBefore = tmpfs.Blobs();

        tmpfs.Remount("ro");
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var response = await ServiceHost.PostCertificationAsync(officer, $"Chỉ đọc {attempt}", [Scans.Page(1)]);
            await ServiceHost.ProblemAsync(response, HttpStatusCode.ServiceUnavailable, "storage-read-only");
        }
        Assert.Equal(before, await TrustServiceFaultTests.LastNumberAsync(officer));
        Assert.Equal(blobsBefore, tmpfs.Blobs());
        AssertSameVerdict(verdict, await ServiceHost.VerifyAsync(host.CreateClient(), pdf));

        tmpfs.Remount("rw");
        var next = await ServiceHost.CertifyAsync(officer, "Sau khi ghi được");
        Assert.Equal(before + 1, next["certificationNumber"]!.GetValue<long>());
        await TrustServiceFaultTests.AssertConsistentAsync(admin);
    }

    private static void AssertSameVerdict(JsonObject expected, JsonObject actual)
    {
        Assert.Equal("TOTAL_PASSED", actual["indication"]!.GetValue<string>());
        Assert.Equal(expected["indication"]!.GetValue<string>(), actual["indication"]!.GetValue<string>());
        Assert.Equal(expected["registry"]!.ToJsonString(), actual["registry"]!.ToJsonString());
    }

    /// <summary>A real tmpfs of a few megabytes mounted on a fresh temporary directory (the test runs as root, or with
    /// password-less sudo). Not being able to mount is a failure, not a skip: the fault would go untested.</summary>
    private sealed class Tmpfs : IDisposable
    {
        private string? _filler;

        public Tmpfs(int sizeMegabytes)
        {
            SizeMegabytes = sizeMegabytes;
            Directory = new TempDirectory("certification-tmpfs");
            var (code, output) = Run("mount", "-t", "tmpfs", "-o", $"size={sizeMegabytes}m,mode=0700", "tmpfs", Directory.Path);
            if (code != 0)
            {
                Directory.Dispose();
                Assert.Fail($"Cannot mount a {sizeMegabytes} MB tmpfs on {Directory.Path} (needs root or password-less sudo): {output}");
            }
        }

        public int SizeMegabytes { get; }
        public TempDirectory Directory { get; }

        public long FreeBytes() => new DriveInfo(Directory.Path).AvailableFreeSpace;

        public long UsedBytes() => new DriveInfo(Directory.Path).TotalSize - FreeBytes();

        /// <summary>The stored copies (file names of blobs/, the blob store's own temporary files excluded).</summary>
        public IReadOnlyList<string> Blobs() =>
            System.IO.Directory.EnumerateFiles(Path.Combine(Directory.Path, "blobs"), "*", SearchOption.AllDirectories)
                .Where(f => Path.GetFileName(Path.GetDirectoryName(f)) != "tmp").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList()!;

        /// <summary>Writes a filler file until the file system has no block left; returns its size.</summary>
        public long Fill()
        {
            _filler = Directory.File("filler.bin");
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
            Assert.True(FreeBytes() < 8192, $"the tmpfs still has {FreeBytes()} bytes free");
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
            var (code, output) = Run("mount", "-o", $"remount,{mode}", Directory.Path);
            Assert.True(code == 0, $"remount,{mode} of {Directory.Path} failed: {output}");
        }

        public void Dispose()
        {
            SqliteConnection.ClearAllPools();
            if (Run("umount", Directory.Path).Code != 0) Run("umount", "-l", Directory.Path);
            Directory.Dispose();
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
