#!/usr/bin/env bash
# Certifications and verifications per second over HTTP on loopback (docs/performance.md § Service). Needs ../shared/fixtures/scans.
set -euo pipefail
cd "$(dirname "$0")/.."
for p in src/Certification.Api benchmarks/Certification.ServiceLoad; do dotnet build -c Release -nologo -v:q -clp:ErrorsOnly "$p" >/dev/null; done
dir=$(mktemp -d); port=25090
env ASPNETCORE_URLS=http://127.0.0.1:$port Certification__DataDirectory="$dir" Certification__DemoSetup__PrintBanner=false \
  Certification__Limits__ApiClientVerificationsPerMinute=10000000 Logging__LogLevel__Default=Warning \
  dotnet src/Certification.Api/bin/Release/net10.0/Certification.Api.dll >"$dir/log" 2>&1 &
pid=$!
for _ in $(seq 120); do curl -fs "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.5; done
load() { dotnet benchmarks/Certification.ServiceLoad/bin/Release/net10.0/Certification.ServiceLoad.dll "$@"; }
scans=(--scan ../shared/fixtures/scans/bang-tot-nghiep-p1.jpg --scan ../shared/fixtures/scans/bang-tot-nghiep-p2.jpg)
echo "== certify c=1"; load certify --url http://127.0.0.1:$port "${scans[@]}" --concurrency 1 --requests 20 | tail -n 3
echo "== certify c=4"; load certify --url http://127.0.0.1:$port "${scans[@]}" --concurrency 4 --requests 40 | tail -n 3

base=http://127.0.0.1:$port
token=$(curl -fs -H 'Content-Type: application/json' -d '{"username":"officer.commune","password":"Demo@12345"}' $base/api/v1/auth/token | python3 -c 'import sys,json;print(json.load(sys.stdin)["accessToken"])')
id=$(curl -fs -H "Authorization: Bearer $token" -F files=@../shared/fixtures/scans/bang-tot-nghiep-p1.jpg -F files=@../shared/fixtures/scans/bang-tot-nghiep-p2.jpg -F documentTitle=Bench -F requesterName=Bench -F requesterIdNumber=001 $base/api/v1/certifications | python3 -c 'import sys,json;print(json.load(sys.stdin)["id"])')
curl -fs -H "Authorization: Bearer $token" -o "$dir/copy.pdf" $base/api/v1/certifications/$id/document
curl -fs -F file=@"$dir/copy.pdf" $base/api/v1/verifications | python3 -c 'import sys,json;d=json.load(sys.stdin);print("verdict",d["indication"],d["registry"]["status"])'
echo "== verify c=1"; load verify --url $base --pdf "$dir/copy.pdf" --api-key demo-online-service-key --concurrency 1 --requests 200 | tail -n 3
echo "== verify c=4"; load verify --url $base --pdf "$dir/copy.pdf" --api-key demo-online-service-key --concurrency 4 --requests 200 | tail -n 3
kill $pid; wait $pid 2>/dev/null || true
