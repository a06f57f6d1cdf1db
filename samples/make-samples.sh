#!/usr/bin/env bash
# Makes the project's own sample scans: fictional documents drawn as text on paper with ImageMagick
# (Debian's imagemagick package, /usr/bin/convert) in the Liberation Serif faces the project ships.
# Everything is fictional and marked so. Re-running gives the same files (no dates or random noise).
#   giay-khai-sinh-mau.jpg        A4 portrait, 300 dpi, RGB JPEG (bottom right left blank: the statement fits there)
#   bang-tot-nghiep-mau-1.jpg/-2  A4 landscape, 300 dpi, RGB JPEG, two pages of one document
#   cccd-mau.png                  ID-1 card (85.6 x 54 mm), 600 dpi, RGB PNG
#   so-ho-khau-mau.tiff           2 pages, 300 dpi: 8-bit gray LZW + bilevel CCITT G4
#   scans/sample-page-1.jpg/-2    A4 portrait, 200 dpi, grayscale JPEG: a 2-page application form as a
#                                 document scanner makes it at the intake's minimum resolution
set -euo pipefail
cd "$(dirname "$0")"
convert=/usr/bin/convert
[[ -x $convert ]] || { echo "make-samples.sh: needs ImageMagick (apt-get install imagemagick)" >&2; exit 1; }
fonts=../src/Certification.Signing/Fonts
regular=$fonts/LiberationSerif-Regular.ttf
bold=$fonts/LiberationSerif-Bold.ttf
notice="Tài liệu mẫu hư cấu, chỉ dùng để kiểm thử phần mềm – không có giá trị pháp lý"
strip=(-strip +set date:create +set date:modify -define png:exclude-chunk=date,time)

# A4 portrait at 300 dpi: 2480 x 3508 px.
$convert -size 2480x3508 xc:'#fbfaf5' -fill black \
  -font "$bold" -pointsize 40 -annotate +260+260 'UỶ BAN NHÂN DÂN' -annotate +1330+260 'CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM' \
  -font "$regular" -pointsize 40 -annotate +250+320 'XÃ MẪU THỬ' -annotate +1450+320 'Độc lập - Tự do - Hạnh phúc' \
  -annotate +250+380 'Số: 000/2024' \
  -font "$bold" -pointsize 90 -annotate +780+620 'GIẤY KHAI SINH' \
  -font "$regular" -pointsize 44 -annotate +1000+700 '(Bản chính – MẪU)' \
  -annotate +250+900 'Họ, chữ đệm, tên: NGUYỄN VĂN MẪU' \
  -annotate +250+990 'Ngày, tháng, năm sinh: 01/01/2024' \
  -annotate +250+1080 'Giới tính: Nam          Dân tộc: Kinh          Quốc tịch: Việt Nam' \
  -annotate +250+1170 'Nơi sinh: Bệnh viện Mẫu Thử, tỉnh Giả Lập' \
  -annotate +250+1260 'Quê quán: xã Mẫu Thử, tỉnh Giả Lập' \
  -annotate +250+1350 'Số định danh cá nhân: 001224000000' \
  -annotate +250+1530 'Họ, chữ đệm, tên người mẹ: TRẦN THỊ MẪU' \
  -annotate +250+1620 'Họ, chữ đệm, tên người cha: NGUYỄN VĂN THỬ' \
  -annotate +250+1800 'Nơi đăng ký khai sinh: Uỷ ban nhân dân xã Mẫu Thử' \
  -annotate +250+1890 'Ngày, tháng, năm đăng ký: 15/01/2024' \
  -font "$bold" -pointsize 40 -annotate +300+2050 'NGƯỜI KÝ GIẤY KHAI SINH' \
  -font "$regular" -annotate +390+2110 '(Ký, ghi rõ họ tên)' -annotate +420+2330 'Lê Văn Ký Thử' \
  -stroke '#c0392b' -strokewidth 8 -fill none -draw 'circle 560,2230 560,2110' -stroke none -fill black \
  -pointsize 30 -annotate +420+3470 "$notice" \
  "${strip[@]}" -units PixelsPerInch -density 300 -quality 85 giay-khai-sinh-mau.jpg

# A4 landscape at 300 dpi: 3508 x 2480 px, two pages.
for page in 1 2; do
  if [[ $page == 1 ]]; then
    body=(-font "$bold" -pointsize 110 -annotate +1180+700 'BẰNG CỬ NHÂN'
          -font "$regular" -pointsize 56 -annotate +1250+800 'BACHELOR DEGREE (MẪU)'
          -annotate +700+1100 'Cấp cho / Conferred upon: NGUYỄN VĂN MẪU'
          -annotate +700+1200 'Ngày sinh / Date of birth: 01/01/2000'
          -annotate +700+1300 'Ngành / Major: Kiểm thử phần mềm'
          -annotate +700+1400 'Xếp loại / Classification: Giỏi'
          -font "$bold" -pointsize 48 -annotate +2300+1750 'HIỆU TRƯỞNG' -font "$regular" -annotate +2260+2050 'Trần Văn Hiệu')
  else
    body=(-font "$bold" -pointsize 80 -annotate +900+500 'PHỤ LỤC VĂN BẰNG – BẢNG ĐIỂM'
          -font "$regular" -pointsize 48
          -annotate +500+800 'Học phần                                   Tín chỉ      Điểm'
          -annotate +500+900 'Nhập môn kiểm thử                             3           8.5'
          -annotate +500+1000 'Chữ ký số và PDF                              4           9.0'
          -annotate +500+1100 'Pháp luật về chứng thực                       2           8.0'
          -annotate +500+1200 'Xử lý ảnh quét                                3           7.5')
  fi
  $convert -size 3508x2480 xc:'#fdf6e3' -fill none -stroke '#8e6b23' -strokewidth 14 -draw 'rectangle 90,90 3418,2390' -stroke none -fill black \
    -font "$bold" -pointsize 48 -annotate +1150+250 'CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM' \
    -font "$regular" -annotate +1420+320 'Độc lập - Tự do - Hạnh phúc' \
    "${body[@]}" -pointsize 30 -annotate +1100+2330 "$notice" \
    "${strip[@]}" -units PixelsPerInch -density 300 -quality 85 "bang-tot-nghiep-mau-$page.jpg"
done

# ID-1 card at 600 dpi: 85.6 x 54 mm = 2022 x 1276 px.
$convert -size 2022x1276 xc:'#e8f1f4' -fill '#c7dde4' -draw 'roundrectangle 10,10 2012,1266 60,60' -fill black \
  -font "$bold" -pointsize 56 -annotate +560+130 'CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM' \
  -font "$regular" -pointsize 48 -annotate +800+200 'Độc lập - Tự do - Hạnh phúc' \
  -font "$bold" -fill '#b03a2e' -pointsize 80 -annotate +640+340 'CĂN CƯỚC CÔNG DÂN' -fill black \
  -fill '#9aa7ad' -draw 'rectangle 110,430 560,1010' -fill black \
  -font "$regular" -pointsize 52 -annotate +640+480 'Số / No.: 001099000000' \
  -annotate +640+580 'Họ và tên / Full name: NGUYỄN VĂN MẪU' \
  -annotate +640+680 'Ngày sinh / Date of birth: 01/01/1999' \
  -annotate +640+780 'Giới tính / Sex: Nam    Quốc tịch: Việt Nam' \
  -annotate +640+880 'Quê quán: xã Mẫu Thử, tỉnh Giả Lập' \
  -fill '#e74c3c' -pointsize 110 -annotate +520+1180 'MẪU THỬ • SPECIMEN' \
  "${strip[@]}" -units PixelsPerInch -density 600 -type TrueColor -depth 8 cccd-mau.png

# Household book: 2 pages at 300 dpi, page 1 8-bit gray LZW, page 2 bilevel CCITT G4.
$convert -size 2480x3508 xc:'#f2f2f2' -fill black -font "$bold" -pointsize 90 -annotate +720+900 'SỔ HỘ KHẨU (MẪU)' \
  -font "$regular" -pointsize 48 -annotate +500+1200 'Họ tên chủ hộ: NGUYỄN VĂN MẪU' -annotate +500+1300 'Nơi thường trú: xã Mẫu Thử, tỉnh Giả Lập' \
  -pointsize 30 -annotate +420+3470 "$notice" \
  "${strip[@]}" -colorspace Gray -depth 8 -units PixelsPerInch -density 300 -compress LZW /tmp/so-ho-khau-p1.$$.tiff
$convert -size 2480x3508 xc:white -fill black -font "$bold" -pointsize 64 -annotate +500+400 'NHỮNG NGƯỜI TRONG HỘ' \
  -font "$regular" -pointsize 48 -annotate +300+700 '1. NGUYỄN VĂN MẪU – chủ hộ – sinh 01/01/1980' \
  -annotate +300+800 '2. TRẦN THỊ MẪU – vợ – sinh 02/02/1982' -annotate +300+900 '3. NGUYỄN VĂN THỬ – con – sinh 01/01/2024' \
  -pointsize 30 -annotate +420+3470 "$notice" \
  "${strip[@]}" -monochrome -units PixelsPerInch -density 300 -compress Group4 /tmp/so-ho-khau-p2.$$.tiff
$convert /tmp/so-ho-khau-p1.$$.tiff /tmp/so-ho-khau-p2.$$.tiff "${strip[@]}" so-ho-khau-mau.tiff
rm -f /tmp/so-ho-khau-p1.$$.tiff /tmp/so-ho-khau-p2.$$.tiff
# A4 portrait at 200 dpi, grayscale: 1654 x 2339 px, two pages (the web tests and service-demo.sh upload them).
mkdir -p scans
for page in 1 2; do
  if [[ $page == 1 ]]; then
    body=(-font "$bold" -pointsize 54 -annotate +430+520 'ĐƠN ĐỀ NGHỊ CẤP BẢN SAO (MẪU)'
          -font "$regular" -pointsize 32 -annotate +170+700 'Kính gửi: Uỷ ban nhân dân xã Mẫu Thử'
          -annotate +170+800 'Họ và tên người đề nghị: NGUYỄN VĂN MẪU'
          -annotate +170+870 'Số định danh cá nhân: 001099000000'
          -annotate +170+940 'Nơi cư trú: xã Mẫu Thử, tỉnh Giả Lập'
          -annotate +170+1040 'Đề nghị cấp bản sao từ sổ gốc giấy tờ sau đây:'
          -annotate +230+1110 '– Giấy khai sinh, số 000/2024, đăng ký ngày 15/01/2024'
          -annotate +230+1180 '– Số lượng bản sao: 02 bản'
          -annotate +170+1280 'Mục đích sử dụng: bổ sung hồ sơ dịch vụ công trực tuyến.')
  else
    body=(-font "$regular" -pointsize 32 -annotate +170+300 'Tôi cam đoan những nội dung khai trên là đúng sự thật và chịu trách nhiệm'
          -annotate +170+360 'trước pháp luật về lời cam đoan của mình.'
          -annotate +1000+520 'Xã Mẫu Thử, ngày 20 tháng 11 năm 2026'
          -font "$bold" -annotate +1130+590 'NGƯỜI ĐỀ NGHỊ' -font "$regular" -annotate +1100+650 '(Ký, ghi rõ họ tên)'
          -annotate +1080+860 'Nguyễn Văn Mẫu')
  fi
  $convert -size 1654x2339 xc:'#f7f7f7' -fill black \
    -font "$bold" -pointsize 30 -annotate +780+150 'CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM' \
    -font "$regular" -annotate +960+200 'Độc lập - Tự do - Hạnh phúc' \
    "${body[@]}" -pointsize 22 -annotate +330+2290 "$notice" \
    "${strip[@]}" -colorspace Gray -type Grayscale -units PixelsPerInch -density 200 -quality 85 "scans/sample-page-$page.jpg"
done
ls -l giay-khai-sinh-mau.jpg bang-tot-nghiep-mau-*.jpg cccd-mau.png so-ho-khau-mau.tiff scans/sample-page-*.jpg
