namespace Certification.Signing.Pades;

/// <summary>What to sign and how. Immutable, so a prepared signature can be completed later from the same request.</summary>
public sealed record SignatureRequest
{
    /// <summary>Name of the new signature field; a unique "SignatureN" when null.</summary>
    public string? FieldName { get; init; }

    public PadesLevel Level { get; init; } = PadesLevel.BaselineB;

    public SignatureSubFilter SubFilter { get; init; } = SignatureSubFilter.CadesDetached;

    /// <summary>Makes this a certification signature (DocMDP, ISO 32000-1 § 12.8.2.2). Permission 2 allows
    /// later signatures and form filling; DSS and document timestamps are always allowed (ETSI EN 319 142-1 § 5.4).</summary>
    public int? CertifyPermissions { get; init; }

    public string? Reason { get; init; }
    public string? Location { get; init; }
    public string? ContactInfo { get; init; }

    /// <summary>The visible stamp; null makes an invisible signature.</summary>
    public SignatureAppearance? Appearance { get; init; }
}

/// <summary>A visible stamp: a rectangle in PDF user space units (1/72 inch, origin bottom-left) on a page.</summary>
public sealed record SignatureAppearance
{
    /// <summary>1-based page number.</summary>
    public required int Page { get; init; }
    public required double X { get; init; }
    public required double Y { get; init; }
    public required double Width { get; init; }
    public required double Height { get; init; }

    /// <summary>Lines to draw; when null the signer, organisation and time are drawn.</summary>
    public IReadOnlyList<string>? Lines { get; init; }

    /// <summary>Parses "PAGE:X,Y,W,H" as used on the command line.</summary>
    public static SignatureAppearance Parse(string text)
    {
        var parts = text.Split(':', 2);
        var numbers = parts.Length == 2 ? parts[1].Split(',') : [];
        if (parts.Length != 2 || numbers.Length != 4 || !int.TryParse(parts[0], out var page) || page < 1 ||
            !numbers.All(n => double.TryParse(n, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _)))
            throw new ArgumentException($"Invalid visible signature '{text}': expected PAGE:X,Y,W,H, e.g. 1:360,40,200,70");
        var v = numbers.Select(n => double.Parse(n, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        if (v[2] <= 0 || v[3] <= 0) throw new ArgumentException("Visible signature width and height must be positive");
        return new SignatureAppearance { Page = page, X = v[0], Y = v[1], Width = v[2], Height = v[3] };
    }
}
