#!/usr/bin/env bash
# Per-node certification throughput, SQLite vs PostgreSQL (registry; blobs on the file system or in PostgreSQL),
# with benchmarks/Certification.ServiceLoad. Needs a PostgreSQL server: PG="Host=...;Port=...;Username=postgres".
#   PG="Host=127.0.0.1;Port=55432;Username=postgres" benchmarks/scale-bench.sh [requests] [concurrency]
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${1:-40} concurrency=${2:-4}
scans=(--scan ../shared/fixtures/scans/bang-tot-nghiep-p1.jpg --scan ../shared/fixtures/scans/bang-tot-nghiep-p2.jpg)
for p in src/Certification.Api benchmarks/Certification.ServiceLoad; do dotnet build -c Release -nologo -v:q -clp:ErrorsOnly "$p" >/dev/null; done
load() { dotnet benchmarks/Certification.ServiceLoad/bin/Release/net10.0/Certification.ServiceLoad.dll "$@"; }
run() { # name, extra env...
  local name=$1; shift
  local dir; dir=$(mktemp -d) port=$((20000 + RANDOM % 20000))
  env ASPNETCORE_URLS=http://127.0.0.1:$port Certification__DataDirectory="$dir" Certification__DemoSetup__PrintBanner=false \
      Logging__LogLevel__Default=Warning "$@" dotnet src/Certification.Api/bin/Release/net10.0/Certification.Api.dll >"$dir/log" 2>&1 &
  local pid=$!
  for _ in $(seq 120); do curl -fs "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.5; done
  echo "== $name: one office (one book), concurrency $concurrency"
  load certify --url "http://127.0.0.1:$port" "${scans[@]}" --concurrency "$concurrency" --requests "$requests" | tail -n 2
  echo "== $name: two offices (two books) in parallel, concurrency $concurrency each"
  load certify --url "http://127.0.0.1:$port" "${scans[@]}" --concurrency "$concurrency" --requests "$requests" | tail -n 1 &
  load certify --url "http://127.0.0.1:$port" "${scans[@]}" --user officer.notary --concurrency "$concurrency" --requests "$requests" | tail -n 1
  wait %2 2>/dev/null || wait
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$dir"
}
run "SQLite + file blobs"
db=bench_$RANDOM
psql "postgresql://postgres@127.0.0.1:$(sed -n 's/.*Port=\([0-9]*\).*/\1/p' <<<"$PG")/postgres" -qc "CREATE DATABASE $db" 2>/dev/null || true
run "PostgreSQL + file blobs" Certification__Database__Provider=Postgres ConnectionStrings__Certification="$PG;Database=$db"
db2=bench_$RANDOM
psql "postgresql://postgres@127.0.0.1:$(sed -n 's/.*Port=\([0-9]*\).*/\1/p' <<<"$PG")/postgres" -qc "CREATE DATABASE $db2" 2>/dev/null || true
run "PostgreSQL + PostgreSQL blobs" Certification__Database__Provider=Postgres Certification__Blobs__Provider=Postgres ConnectionStrings__Certification="$PG;Database=$db2"
