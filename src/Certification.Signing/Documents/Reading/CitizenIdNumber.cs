namespace Certification.Signing.Documents.Reading;

/// <summary>
/// The structure of a 12-digit citizen identification number (số định danh cá nhân / CCCD; Decree 137/2015 Art. 7,
/// Circular 07/2016/TT-BCA Art. 7): 3 digits of the province of birth registration, 1 digit of century and sex
/// (0/1 male/female born 1900–1999, 2/3 in 2000–2099, 4/5 in 2100–2199, 6/7 in 2200–2299, 8/9 in 2300–2399),
/// 2 digits of the year of birth, then 6 random digits.
/// </summary>
public sealed record CitizenIdNumber(string Value, string ProvinceCode, string? Province, bool Female, int BirthYear, string? Problem)
{
    /// <summary>The 63 province codes of Circular 07/2016/TT-BCA Annex I (still used after the 2025 merger: numbers already
    /// issued keep their code).</summary>
    private static readonly Dictionary<string, string> Provinces = new()
    {
        ["001"] = "Hà Nội", ["002"] = "Hà Giang", ["004"] = "Cao Bằng", ["006"] = "Bắc Kạn", ["008"] = "Tuyên Quang",
        ["010"] = "Lào Cai", ["011"] = "Điện Biên", ["012"] = "Lai Châu", ["014"] = "Sơn La", ["015"] = "Yên Bái",
        ["017"] = "Hoà Bình", ["019"] = "Thái Nguyên", ["020"] = "Lạng Sơn", ["022"] = "Quảng Ninh", ["024"] = "Bắc Giang",
        ["025"] = "Phú Thọ", ["026"] = "Vĩnh Phúc", ["027"] = "Bắc Ninh", ["030"] = "Hải Dương", ["031"] = "Hải Phòng",
        ["033"] = "Hưng Yên", ["034"] = "Thái Bình", ["035"] = "Hà Nam", ["036"] = "Nam Định", ["037"] = "Ninh Bình",
        ["038"] = "Thanh Hoá", ["040"] = "Nghệ An", ["042"] = "Hà Tĩnh", ["044"] = "Quảng Bình", ["045"] = "Quảng Trị",
        ["046"] = "Thừa Thiên Huế", ["048"] = "Đà Nẵng", ["049"] = "Quảng Nam", ["051"] = "Quảng Ngãi", ["052"] = "Bình Định",
        ["054"] = "Phú Yên", ["056"] = "Khánh Hoà", ["058"] = "Ninh Thuận", ["060"] = "Bình Thuận", ["062"] = "Kon Tum",
        ["064"] = "Gia Lai", ["066"] = "Đắk Lắk", ["067"] = "Đắk Nông", ["068"] = "Lâm Đồng", ["070"] = "Bình Phước",
        ["072"] = "Tây Ninh", ["074"] = "Bình Dương", ["075"] = "Đồng Nai", ["077"] = "Bà Rịa – Vũng Tàu", ["079"] = "Hồ Chí Minh",
        ["080"] = "Long An", ["082"] = "Tiền Giang", ["083"] = "Bến Tre", ["084"] = "Trà Vinh", ["086"] = "Vĩnh Long",
        ["087"] = "Đồng Tháp", ["089"] = "An Giang", ["091"] = "Kiên Giang", ["092"] = "Cần Thơ", ["093"] = "Hậu Giang",
        ["094"] = "Sóc Trăng", ["095"] = "Bạc Liêu", ["096"] = "Cà Mau",
    };

    /// <summary>True when the number has the structure of a citizen ID issued by <paramref name="today"/>.</summary>
    public bool Valid => Problem is null;

    /// <summary>Reads 12 digits; the result says what, if anything, does not fit the structure
    /// (<see cref="Problem"/>, Vietnamese / English). Null when <paramref name="digits"/> is not 12 digits.</summary>
    public static CitizenIdNumber? Read(string digits, DateOnly today)
    {
        if (digits.Length != 12 || !digits.All(char.IsAsciiDigit)) return null;
        var province = digits[..3];
        var centurySex = digits[3] - '0';
        var year = 1900 + centurySex / 2 * 100 + int.Parse(digits.AsSpan(4, 2), System.Globalization.CultureInfo.InvariantCulture);
        string? problem = null;
        if (!Provinces.TryGetValue(province, out var name))
            problem = $"mã tỉnh {province} không tồn tại / no province has code {province}";
        else if (year > today.Year)
            problem = $"năm sinh {year} ở tương lai / year of birth {year} is in the future";
        else if (today.Year - year > 130)
            problem = $"năm sinh {year} không hợp lý / year of birth {year} is implausible";
        return new CitizenIdNumber(digits, province, name, centurySex % 2 == 1, year, problem);
    }
}
