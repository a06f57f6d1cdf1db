using Certification.Signing.Documents;
using Certification.TestSupport;
using Xunit;

namespace Certification.Signing.Tests.Documents;

public sealed class ComposeSmokeTests
{
    [SharedFixtureTheory]
    [Trait("Category", SharedFixtures.Category)]
    [MemberData(nameof(CopyFixtures.GoodDocuments), MemberType = typeof(CopyFixtures))]
    public void Smoke(string document)
    {
        var dir = Environment.GetEnvironmentVariable("COPY_SMOKE_DIR");
        if (dir is null) return;
        var composer = new CertifiedCopyComposer(CopyFixtures.LimitsFor(document), new FixedTimeProvider(CopyFixtures.IssuedAt));
        var copy = composer.Compose(CopyFixtures.Load(document), CopyFixtures.Details());
        File.WriteAllBytes(Path.Combine(dir, document.Replace('+', '_') + ".pdf"), copy.Pdf);
    }
}
