using Xunit;

namespace Certification.TestSupport;

/// <summary>The project's shared fixtures: the <c>shared/fixtures</c> folder beside the repository
/// (<c>$(repo)/../shared/fixtures</c>), or <c>CERTIFICATION_SHARED_FIXTURES</c> when set. Tests over it
/// carry <c>[Trait("Category", "SharedFixtures")]</c> and use <see cref="SharedFixtureFactAttribute"/>,
/// so they run whenever the folder exists and are skipped (the one allowed skip) when it does not.</summary>
public static class SharedFixtures
{
    public const string Category = "SharedFixtures";

    private static readonly Lazy<string?> Located = new(Locate);

    /// <summary>Full path of the shared fixtures folder, or null when it is absent.</summary>
    public static string? Directory => Located.Value;

    /// <summary>Path of a file inside the fixtures folder; throws when the folder is absent.</summary>
    public static string File(params string[] relative) =>
        Path.Combine([Directory ?? throw new InvalidOperationException("Shared fixtures folder is absent."), .. relative]);

    private static string? Locate()
    {
        var overridden = Environment.GetEnvironmentVariable("CERTIFICATION_SHARED_FIXTURES");
        if (!string.IsNullOrEmpty(overridden)) return System.IO.Directory.Exists(overridden) ? Path.GetFullPath(overridden) : null;
        var repo = RepositoryRoot.Find();
        if (repo is null) return null;
        var candidate = Path.GetFullPath(Path.Combine(repo, "..", "shared", "fixtures"));
        return System.IO.Directory.Exists(candidate) ? candidate : null;
    }
}

/// <summary>The repository root: the nearest folder above the test assembly holding Certification.sln.</summary>
public static class RepositoryRoot
{
    public static string? Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "Certification.sln"))) return dir.FullName;
        return null;
    }
}

/// <summary>A fact over <see cref="SharedFixtures"/>: skipped when the shared fixtures folder is absent,
/// run otherwise. Pair it with <c>[Trait("Category", SharedFixtures.Category)]</c>.</summary>
public sealed class SharedFixtureFactAttribute : FactAttribute
{
    public SharedFixtureFactAttribute()
    {
        if (SharedFixtures.Directory is null) Skip = "Shared fixtures folder (../shared/fixtures) is absent.";
    }
}

/// <summary>A theory over <see cref="SharedFixtures"/>; see <see cref="SharedFixtureFactAttribute"/>.</summary>
public sealed class SharedFixtureTheoryAttribute : TheoryAttribute
{
    public SharedFixtureTheoryAttribute()
    {
        if (SharedFixtures.Directory is null) Skip = "Shared fixtures folder (../shared/fixtures) is absent.";
    }
}
