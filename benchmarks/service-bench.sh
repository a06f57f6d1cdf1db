#!/usr/bin/env bash
# The service against its own library, in one run (docs/performance.md § Service): the library's in-process
# compose+sign time and stages for the same scans and level; then the Release service (demo mode, SQLite, B-LT, a
# fresh data directory each time): (1) one certification and one verification at a time, with the service's per-stage
# breakdown (Certification:Operations:StageTimings, logged when it stops); (2) certification median and throughput at
# c=8 for one office and for four offices and at c=20 for one office, verification at c=4 and c=8, resident memory
# across GROWTH certifications + GROWTH verifications; (3) verification with the result cache off (every request
# validated); (4) the 20-page upload's peak (benchmarks/service-memory.sh).
# The machine's load average follows every result. Needs ../shared/fixtures/scans.
#   benchmarks/service-bench.sh            # GROWTH=1000 (2,000 requests for the growth check); FIXTURES=../shared/fixtures
set -euo pipefail
cd "$(dirname "$0")/.."
growth=${GROWTH:-1000}
fixtures=$(realpath "${FIXTURES:-../shared/fixtures}")
scan1=$fixtures/scans/bang-tot-nghiep-p1.jpg scan2=$fixtures/scans/bang-tot-nghiep-p2.jpg
for p in src/Certification.Api benchmarks/Certification.ServiceLoad benchmarks/Certification.Benchmarks; do
  dotnet build -c Release -nologo -v:q -clp:ErrorsOnly "$p" >/dev/null
done
loadavg() { echo "  load average $(cut -d' ' -f1-3 /proc/loadavg)"; }
echo "machine: $(nproc) cores,$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); $(date -u '+%Y-%m-%d %H:%M UTC'); commit $(git rev-parse --short HEAD)"
loadavg

echo "== library, in process: compose + certifier + seal at B-LT, same scans"
dotnet benchmarks/Certification.Benchmarks/bin/Release/net10.0/Certification.Benchmarks.dll issue-time --scan $scan1 --scan $scan2 --runs 30
loadavg

work=$(mktemp -d); pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$work"' EXIT
# start [NAME=VALUE...]: a fresh Release service, with extra settings if given.
start() {
  dir=$(mktemp -d -p "$work"); port=$((20000 + RANDOM % 20000)); base=http://127.0.0.1:$port
  env "$@" ASPNETCORE_URLS=$base Certification__DataDirectory="$dir" Certification__DemoSetup__PrintBanner=false \
    Certification__DemoSetup__ExtraNotaryOffices=2 Certification__Limits__ApiClientVerificationsPerMinute=100000000 \
    Certification__Operations__StageTimings=true Logging__LogLevel__Default=Warning \
    dotnet src/Certification.Api/bin/Release/net10.0/Certification.Api.dll >"$dir/log" 2>&1 &
  pid=$!
  for _ in $(seq 120); do curl -fs "$base/health" >/dev/null && break; sleep 0.5; done
}
stop() { kill $pid; wait $pid 2>/dev/null || true; pid=; }
load() { dotnet benchmarks/Certification.ServiceLoad/bin/Release/net10.0/Certification.ServiceLoad.dll "$@" --url $base | tail -n 1; loadavg; }
rss() { awk '/VmRSS/ {printf "%.1f MiB", $2/1024}' /proc/$pid/status; }
scans=(--scan $scan1 --scan $scan2)
four=(--user officer.commune --user officer.notary --user officer.notary2 --user officer.notary3)
copy() {
  local token id
  token=$(curl -fs -H 'Content-Type: application/json' -d '{"username":"officer.commune","password":"Demo@12345"}' $base/api/v1/auth/token \
    | python3 -c 'import sys,json;print(json.load(sys.stdin)["accessToken"])')
  id=$(curl -fs -H "Authorization: Bearer $token" -F files=@$scan1 -F files=@$scan2 -F documentTitle=Bench -F requesterName=Bench -F requesterIdNumber=001 \
    $base/api/v1/certifications | python3 -c 'import sys,json;print(json.load(sys.stdin)["id"])')
  curl -fs -H "Authorization: Bearer $token" -o "$dir/copy.pdf" $base/api/v1/certifications/$id/document
  echo "copy: $(stat -c %s "$dir/copy.pdf") bytes; report: $(curl -fs -H 'X-Api-Key: demo-online-service-key' -F file=@"$dir/copy.pdf" $base/api/v1/verifications \
    | python3 -c 'import sys,json;d=json.load(sys.stdin);print(d["indication"],"registry",d["registry"]["status"],"signatures",len(d.get("signatures",[])),"findings",sorted(f.get("code","") for f in d.get("findings",[])))')"
  verify=(verify --pdf "$dir/copy.pdf" --api-key demo-online-service-key)
}

start
echo "== service: certify, one office, c=1";  load certify "${scans[@]}" --concurrency 1 --requests 40
copy
echo "== service: verify, c=1";               load "${verify[@]}" --concurrency 1 --requests 300
stop
echo "== service stages during the c=1 runs above (ms)"
sed -n '/Stage timings since start/,$p' "$dir/log" | tail -n +2 | grep -v '^\s*$' || echo "  (no stage timings: this build has no Operations:StageTimings)"

start
echo "== service: certify, one office, c=8";    load certify "${scans[@]}" --concurrency 8 --requests 200
echo "== service: certify, four offices, c=8";  load certify "${scans[@]}" "${four[@]}" --concurrency 8 --requests 200
echo "== service: certify, one office, c=20 (a burst at opening time)"; load certify "${scans[@]}" --concurrency 20 --requests 200
copy
echo "== service: verify, c=4"; load "${verify[@]}" --concurrency 4 --requests 1000
echo "== service: verify, c=8"; load "${verify[@]}" --concurrency 8 --requests 1000
echo "== memory over $((2 * growth)) requests: RSS after the runs above $(rss)"
load certify "${scans[@]}" "${four[@]}" --concurrency 8 --requests "$growth" --warmup 0
echo "  RSS after $growth more certifications $(rss)"
load "${verify[@]}" --concurrency 8 --requests "$growth" --warmup 0
echo "  RSS after $growth more verifications $(rss)"
stop

# The same file verified again is answered from the verification result cache (registry status still live); this is
# what the validator itself sustains when every request has to be validated.
start Certification__Verification__ResultCacheMaxAge=00:00:00
copy
echo "== service: verify, result cache off, c=1"; load "${verify[@]}" --concurrency 1 --requests 300
echo "== service: verify, result cache off, c=8"; load "${verify[@]}" --concurrency 8 --requests 1000
stop

echo "== memory: one 20-page upload (benchmarks/service-memory.sh)"
benchmarks/service-memory.sh | tail -n 1
loadavg
