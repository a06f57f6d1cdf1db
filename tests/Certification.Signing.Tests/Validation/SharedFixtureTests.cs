using Certification.Signing.Validation;
using Certification.Signing.Validation.Policy;
using Certification.Signing.Validation.Report;
using Xunit;

namespace Certification.Signing.Tests.Validation;

/// <summary>
/// The third-party corpus in ../shared/fixtures/third-party (MANIFEST.tsv: path, source, expected, note):
/// no MUST_FLAG file may be TOTAL_PASSED and each must carry a failed check or a modification finding;
/// every INTACT file must have its integrity checks passed. Skipped when the shared folder is absent.
/// Run only these: <c>dotnet test --filter Category=SharedFixtures</c>.
/// </summary>
[Trait("Category", "SharedFixtures")]
public sealed class SharedFixtureTests
{
    private static readonly string[] IntegrityChecks = ["readable", "byteRange", "contentsPlacement", "coverage", "containerFormat", "digest", "signatureValue"];

    public static string? CorpusDirectory
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Certification.sln")))
                {
                    var corpus = Path.Combine(dir.FullName, "..", "shared", "fixtures", "third-party");
                    return File.Exists(Path.Combine(corpus, "MANIFEST.tsv")) ? Path.GetFullPath(corpus) : null;
                }
            }
            return null;
        }
    }

    public static TheoryData<string, string> Manifest()
    {
        var data = new TheoryData<string, string>();
        if (CorpusDirectory is not { } corpus)
        {
            data.Add("(shared fixtures absent)", "NONE");
            return data;
        }
        foreach (var line in File.ReadLines(Path.Combine(corpus, "MANIFEST.tsv")).Skip(1))
        {
            var columns = line.Split('\t');
            if (columns.Length >= 3) data.Add(columns[0], columns[2]);
        }
        return data;
    }

    [SharedFixturesTheory]
    [MemberData(nameof(Manifest))]
    public void Corpus_file_meets_its_expectation(string path, string expected)
    {
        var report = PdfSignatureValidator.Validate(File.ReadAllBytes(Path.Combine(CorpusDirectory!, path)), new ValidationOptions());
        switch (expected)
        {
            case "MUST_FLAG":
                Assert.NotEqual(Indication.TotalPassed, report.Indication);
                Assert.True(report.Signatures.Any(s => s.Checks.Any(c => c.Result == CheckResult.Failed) ||
                                                       s.Modifications.Any(m => m.Kind > Certification.Signing.Validation.Modifications.ModificationKind.SignaturesAndTimestamps)),
                    $"{path}: no failed check or modification finding names the problem");
                break;
            case "INTACT":
                Assert.True(report.Readable, report.Error);
                Assert.NotEmpty(report.Signatures);
                foreach (var signature in report.Signatures)
                {
                    var broken = signature.Checks.Where(c => IntegrityChecks.Contains(c.Name) && c.Result != CheckResult.Passed).ToList();
                    Assert.True(broken.Count == 0, $"{path} {signature.FieldName}: {string.Join("; ", broken.Select(b => $"{b.Name}: {b.Message}"))}");
                }
                break;
            default:
                Assert.NotNull(report); // OTHER: parser robustness only; it must not throw
                break;
        }
    }
}

/// <summary>A theory that is skipped when ../shared (beside the repository root) is absent.</summary>
public sealed class SharedFixturesTheoryAttribute : TheoryAttribute
{
    public SharedFixturesTheoryAttribute()
    {
        if (SharedFixtureTests.CorpusDirectory is null) Skip = "../shared/fixtures/third-party is absent";
    }
}
