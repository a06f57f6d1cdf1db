using System.Globalization;
using System.Text.RegularExpressions;

namespace Certification.Signing.Pdf;

/// <summary>PDF date strings (ISO 32000-1 § 7.9.4): D:YYYYMMDDHHmmSSOHH'mm'.</summary>
public static partial class PdfDate
{
    public static string Format(DateTimeOffset time)
    {
        var offset = time.Offset;
        var sign = offset < TimeSpan.Zero ? '-' : '+';
        var abs = offset.Duration();
        return offset == TimeSpan.Zero
            ? $"D:{time:yyyyMMddHHmmss}Z"
            : $"D:{time:yyyyMMddHHmmss}{sign}{abs.Hours:D2}'{abs.Minutes:D2}'";
    }

    public static PdfString ToPdfString(DateTimeOffset time) => new(System.Text.Encoding.ASCII.GetBytes(Format(time)));

    public static DateTimeOffset? TryParse(string? text)
    {
        if (text is null) return null;
        var m = DatePattern().Match(text);
        if (!m.Success) return null;
        int Part(string name, int fallback) => m.Groups[name].Success ? int.Parse(m.Groups[name].Value, CultureInfo.InvariantCulture) : fallback;
        try
        {
            var offset = TimeSpan.Zero;
            if (m.Groups["sign"].Value is "+" or "-")
            {
                offset = new TimeSpan(Part("oh", 0), Part("om", 0), 0);
                if (m.Groups["sign"].Value == "-") offset = -offset;
            }
            return new DateTimeOffset(Part("y", 1), Part("mo", 1), Part("d", 1), Part("h", 0), Part("mi", 0), Part("s", 0), offset);
        }
        catch (ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"^D?:?(?<y>\d{4})(?<mo>\d{2})?(?<d>\d{2})?(?<h>\d{2})?(?<mi>\d{2})?(?<s>\d{2})?(?<sign>[Z+\-])?(?<oh>\d{2})?'?(?<om>\d{2})?'?")]
    private static partial Regex DatePattern();
}
