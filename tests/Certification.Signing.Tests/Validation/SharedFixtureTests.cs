using Certification.Signing.Validation;
using Certification.Signing.Validation.Modifications;
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
    private static readonly string[] ModificationChecks = ["modificationsAfterSigning", "docMdp"];

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
                                                       s.Modifications.Any(m => m.Kind > ModificationKind.SignaturesAndTimestamps)),
                    $"{path}: no failed check or modification finding names the problem");
                break;
            case "INTACT":
                Assert.True(report.Readable, report.Error);
                Assert.NotEmpty(report.Signatures);
                foreach (var signature in report.Signatures)
                {
                    var broken = signature.Checks.Where(c => IntegrityChecks.Contains(c.Name) && c.Result != CheckResult.Passed).ToList();
                    Assert.True(broken.Count == 0, $"{path} {signature.FieldName}: {string.Join("; ", broken.Select(b => $"{b.Name}: {b.Message}"))}");
                    // No false alarm: the later revisions of an intact file change nothing the signature covers.
                    var alarms = signature.Checks.Where(c => ModificationChecks.Contains(c.Name) && c.Result == CheckResult.Failed).Select(c => c.Message)
                        .Concat(signature.Modifications.Where(m => m.Kind == ModificationKind.Other).Select(m => m.Message)).ToList();
                    Assert.True(alarms.Count == 0, $"{path} {signature.FieldName}: {string.Join("; ", alarms)}");
                }
                break;
            default:
                Assert.NotNull(report); // OTHER: parser robustness only; it must not throw
                break;
        }
    }

    /// <summary>pyHanko's appearance-override pairs (test_diff_analysis.py test_appearance_update_edge_cases and
    /// test_disallow_appearance_stream_override_if_clobbers): the second signing revision redraws field Sig2's
    /// appearance stream (object 9) in place. Only Sig2 used it: part of signing Sig2. The catalog's /FooBar
    /// also used it (or its /AP dictionary, object 10): OTHER, named.</summary>
    [SharedFixturesTheory]
    [InlineData("form-update-override-appearance-stream.pdf", null)]
    [InlineData("form-update-override-appearance-stream-ap-indirect.pdf", null)]
    [InlineData("form-update-override-appearance-stream-sneaky.pdf", "it")]
    [InlineData("form-update-override-appearance-stream-ap-indirect-sneaky.pdf", "its appearance dictionary (object 10)")]
    public void PyHanko_appearance_override_is_judged_by_who_else_uses_the_object(string file, string? shared)
    {
        var path = Path.Combine(CorpusDirectory!, "pyHanko/internal/common-test-utils/src/pyhanko_testing_commons/test_data/data/pdf", file);
        var sig1 = PdfSignatureValidator.Validate(File.ReadAllBytes(path), new ValidationOptions()).Signatures.Single(s => s.FieldName == "Sig1");
        const string appearance = "the appearance of field 'Sig2' on page 1 (object 9)";
        if (shared is null)
        {
            Assert.Equal(ModificationKind.SignaturesAndTimestamps, sig1.ModificationsAfterSigning);
            Assert.Contains(sig1.Modifications, m => m.Message == $"{appearance} was redrawn as the field was signed");
            Assert.Contains(sig1.Checks, c => c.Name == "modificationsAfterSigning" && c.Result == CheckResult.Passed);
        }
        else
        {
            Assert.Equal(Indication.TotalFailed, sig1.Indication);
            Assert.Contains(sig1.Modifications, m => m.Kind == ModificationKind.Other &&
                m.Message == $"{appearance} was redefined, but the signed revision also uses {shared} outside that field: what those uses show changed too");
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
