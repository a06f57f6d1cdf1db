using System.Globalization;

namespace Certification.Signing.Documents;

/// <summary>Exif/TIFF orientation (TIFF 6.0 tag 274) as PDF matrices: the stored pixels are drawn
/// through the matrix, never rotated themselves, so the JPEG stays byte-identical.</summary>
internal static class PageGeometry
{
    /// <summary>The <c>cm</c> operands that map the image unit square onto a W × H page (display size)
    /// so the stored image appears in its intended orientation.</summary>
    public static double[] ImageMatrix(int orientation, double w, double h) => orientation switch
    {
        2 => [-w, 0, 0, h, w, 0],
        3 => [-w, 0, 0, -h, w, h],
        4 => [w, 0, 0, -h, 0, h],
        5 => [0, -h, -w, 0, w, h],
        6 => [0, -h, w, 0, 0, h],
        7 => [0, h, w, 0, 0, 0],
        8 => [0, h, -w, 0, w, 0],
        _ => [w, 0, 0, h, 0, 0],
    };

    /// <summary>For a point of the displayed page (fractions, origin top-left) the point of the stored
    /// image it shows (fractions, origin top-left).</summary>
    public static (double S, double T) DisplayToStored(int orientation, double x, double y) => orientation switch
    {
        2 => (1 - x, y),
        3 => (1 - x, 1 - y),
        4 => (x, 1 - y),
        5 => (y, x),
        6 => (y, 1 - x),
        7 => (1 - y, 1 - x),
        8 => (1 - y, x),
        _ => (x, y),
    };

    /// <summary>The matrix that draws display-space content on a page with /Rotate (ISO 32000-1 § 7.7.3.3)
    /// whose visible box is [x0 y0 x1 y1], so overlays appear upright.</summary>
    public static double[] DisplayToUser(int rotate, double[] box)
    {
        double x0 = box[0], y0 = box[1], w = box[2] - box[0], h = box[3] - box[1];
        return rotate switch
        {
            90 => [0, 1, -1, 0, x0 + w, y0],
            180 => [-1, 0, 0, -1, x0 + w, y0 + h],
            270 => [0, -1, 1, 0, x0, y0 + h],
            _ => [1, 0, 0, 1, x0, y0],
        };
    }

    public static string Number(double value) =>
        Math.Round(value, 4).ToString("0.####", CultureInfo.InvariantCulture);

    public static string Matrix(double[] m) => string.Join(' ', m.Select(Number)) + " cm";
}
