#!/usr/bin/env bash
# The kill -9 loop of docs/reliability.md: KillLoopTests with many kills on SQLite and on PostgreSQL (registry and
# blobs), the crash-consistency checker after every restart. Needs a PostgreSQL server in CERTIFICATION_TEST_POSTGRES
# (e.g. "Host=127.0.0.1;Port=55432;Username=postgres;Database=postgres"; ./test.sh shows how to start a throwaway one).
#   CERTIFICATION_TEST_POSTGRES=... benchmarks/kill-loop.sh [kills, default 30] [seed]
# Prints one line of figures per database (kills survived, requests in flight at the kills, certifications
# acknowledged and found again, entries checked, lost).
set -euo pipefail
cd "$(dirname "$0")/.."
kills=${1:-30}
report=$(mktemp)
dotnet build tests/Certification.Api.Tests -c Release -nologo -v:q -clp:ErrorsOnly >/dev/null
CERTIFICATION_KILLS=$kills CERTIFICATION_KILL_SEED=${2:-} CERTIFICATION_KILL_REPORT=$report \
  dotnet test tests/Certification.Api.Tests -c Release --no-build --filter "FullyQualifiedName~KillLoopTests" -v:q -nologo >/dev/null
cat "$report"
rm -f "$report"
