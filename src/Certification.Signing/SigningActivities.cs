using System.Diagnostics;

namespace Certification.Signing;

/// <summary>
/// The library's trace spans (ActivitySource <c>Certification.Signing</c>): one per stage of composing, signing and
/// validating — compose, each signature with its certificate check, signature value, timestamp and DSS, revocation
/// fetches, validation — so a host's OpenTelemetry shows where one certification or verification spends its time.
/// Starting a span costs nothing while nobody listens.
/// </summary>
public static class SigningActivities
{
    public const string Name = "Certification.Signing";

    public static readonly ActivitySource Source = new(Name);

    /// <summary>Starts a span, or returns null when nobody listens.</summary>
    public static Activity? Start(string name) => Source.StartActivity(name);
}
