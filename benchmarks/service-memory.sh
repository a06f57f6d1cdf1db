#!/usr/bin/env bash
# Peak resident memory of the service for one large certification (docs/performance.md § Certified copies):
# 20 distinct A4 300 dpi JPEG pages (about 29 MiB) uploaded in one request, certified at B-LT. The service's
# VmHWM is reset after a warm-up certification, so the figure covers exactly the large one.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build -c Release -nologo -v:q -clp:ErrorsOnly src/Certification.Api >/dev/null
dir=$(mktemp -d); port=25095; base=http://127.0.0.1:$port
convert -seed 3 -size 620x877 plasma:white-grey -resize 2480x3508! -attenuate 0.3 +noise Gaussian -quality 87 -strip \
  -units PixelsPerInch -density 300 "jpeg:$dir/page.jpg"
files=()
for i in $(seq -w 1 20); do
  # A comment segment per page keeps the pages distinct without touching the picture.
  convert "$dir/page.jpg" -set comment "page $i" "jpeg:$dir/page-$i.jpg" 2>/dev/null || cp "$dir/page.jpg" "$dir/page-$i.jpg"
  files+=(-F "files=@$dir/page-$i.jpg;type=image/jpeg")
done
input=$(cat "$dir"/page-*.jpg | wc -c)
env ASPNETCORE_URLS=$base Certification__DataDirectory="$dir/data" Certification__DemoSetup__PrintBanner=false Logging__LogLevel__Default=Warning \
  dotnet src/Certification.Api/bin/Release/net10.0/Certification.Api.dll >"$dir/log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 120); do curl -fs "$base/health" >/dev/null && break; sleep 0.5; done
token=$(curl -fs -H 'Content-Type: application/json' -d '{"username":"officer.commune","password":"Demo@12345"}' $base/api/v1/auth/token \
  | python3 -c 'import sys,json;print(json.load(sys.stdin)["accessToken"])')
certify() { curl -fsS -H "Authorization: Bearer $token" "$@" -F documentTitle=Bench -F requesterName=Bench -F requesterIdNumber=001 $base/api/v1/certifications; }
certify -F "files=@samples/scans/sample-page-1.jpg;type=image/jpeg" -F "files=@samples/scans/sample-page-2.jpg;type=image/jpeg" >/dev/null
rss() { awk -v f="$1:" '$1==f {print $2 * 1024}' /proc/$pid/status; }
baseline=$(rss VmRSS); echo 5 > /proc/$pid/clear_refs
start=$(date +%s%N)
certify "${files[@]}" | python3 -c 'import sys,json;d=json.load(sys.stdin);print("certified no.",d["certificationNumber"],d["pageCount"],"pages")'
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
peak=$(rss VmHWM)
python3 - "$input" "$baseline" "$peak" "$elapsed" <<'PY'
import sys
size, base, peak, ms = map(int, sys.argv[1:])
print(f"input {size/1048576:.1f} MiB; request {ms} ms; baseline RSS {base/1048576:.1f} MiB; peak RSS {peak/1048576:.1f} MiB; "
      f"peak above baseline {(peak-base)/1048576:.1f} MiB = {(peak-base)/size:.2f}x the input")
PY
