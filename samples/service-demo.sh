#!/usr/bin/env bash
# Against the running demo (dotnet run --project src/Certification.Api): certifies two sample scans as
# officer.commune, downloads the copy as a citizen with its access code, verifies it as an online service
# (anonymous and with the demo API key), then prints the book. Needs curl and python3 (JSON parsing).
#   BASE_URL=http://127.0.0.1:5080 samples/service-demo.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
base=${BASE_URL:-http://localhost:5000}
out=${OUT_DIR:-$(mktemp -d)}
json() { python3 -c "import sys,json; d=json.load(sys.stdin); print(d$1)"; }

echo "== health"; curl -fsS "$base/health"; echo

echo "== officer signs in"
token=$(curl -fsS -X POST "$base/api/v1/auth/token" -H 'Content-Type: application/json' \
  -d '{"username":"officer.commune","password":"Demo@12345"}' | json '["accessToken"]')

echo "== officer certifies a 2-page document"
curl -fsS -X POST "$base/api/v1/certifications" -H "Authorization: Bearer $token" \
  -F "files=@$here/scans/sample-page-1.jpg;type=image/jpeg" -F "files=@$here/scans/sample-page-2.jpg;type=image/jpeg" \
  -F 'documentTitle=Giấy khai sinh (mẫu)' -F 'requesterName=Nguyễn Văn Mẫu' -F 'requesterIdNumber=001099000000' > "$out/certification.json"
python3 - "$out/certification.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(f"  number {d['certificationNumber']} in book {d['book']}, {d['pageCount']} pages, fee {d['fee']} VND")
print(f"  access code {d['accessCode']}  ({d['accessUrl']})")
PY
code=$(json '["accessCode"]' < "$out/certification.json")

echo "== citizen downloads the copy with the access code"
curl -fsS -o "$out/copy.pdf" "$base/api/v1/copies/$code"
echo "  saved $out/copy.pdf ($(wc -c < "$out/copy.pdf") bytes)"

echo "== online service verifies the copy (anonymous)"
curl -fsS -X POST "$base/api/v1/verifications" -F "file=@$out/copy.pdf;type=application/pdf" > "$out/verification.json"
python3 - "$out/verification.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(f"  indication {d['indication']}; registry {d['registry']}")
for s in d['signatures']: print(f"  - {s['fieldName']}: {s['indication']} {s['level']} / {s['summary']['en']}")
PY

echo "== online service looks the copy up by code (API key)"
curl -fsS -H 'X-Api-Key: demo-online-service-key' "$base/api/v1/registry/copies/$code"; echo

echo "== a wrong code gets a problem response"
curl -sS "$base/api/v1/copies/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"; echo
echo "done; files in $out"
