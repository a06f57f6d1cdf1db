#!/usr/bin/env bash
# Runs the whole test suite: installs the external judges the tests call (Debian packages), builds
# Certification.sln, runs every test project, and ends with one line "N passed, N failed[, N skipped]".
# Exit status is non-zero when the build fails, any test fails, or a test project produced no result.
set -euo pipefail
cd "$(dirname "$0")"
root=$(pwd)

export LANG=C.UTF-8 LC_ALL=C.UTF-8
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export DEBIAN_FRONTEND=noninteractive

# --- external tools ---------------------------------------------------------------------------
# Each row: a file the tests need, and the Debian package that ships it. A file path rather than
# `command -v` alone, because some machines carry stand-ins on PATH (e.g. /usr/local/bin/convert).
required=(
  /usr/bin/pdfsig:poppler-utils
  /usr/bin/pdftoppm:poppler-utils
  /usr/bin/qpdf:qpdf
  /usr/bin/openssl:openssl
  /usr/bin/certutil:libnss3-tools
  /usr/bin/softhsm2-util:softhsm2
  /usr/lib/softhsm/libsofthsm2.so:softhsm2
  /usr/bin/pkcs11-tool:opensc
  /usr/bin/mutool:mupdf-tools
  /usr/bin/img2pdf:img2pdf
  /usr/bin/convert:imagemagick
  /usr/bin/chromium:chromium
  /usr/bin/tesseract:tesseract-ocr
  /usr/share/tesseract-ocr/5/tessdata/vie.traineddata:tesseract-ocr-vie
)
missing=()
for row in "${required[@]}"; do
  file=${row%%:*} pkg=${row#*:}
  if [[ ! -e $file ]]; then
    name=$(basename "$file")
    # Elsewhere than Debian's layout, accept the tool wherever PATH has it (not for the stand-in convert).
    if [[ $file == /usr/bin/* && $name != convert ]] && command -v "$name" >/dev/null 2>&1; then continue; fi
    [[ " ${missing[*]-} " == *" $pkg "* ]] || missing+=("$pkg")
  fi
done
if ((${#missing[@]})); then
  echo "test.sh: installing missing packages: ${missing[*]}" >&2
  sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  if ! { "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }; then
    echo "test.sh: could not install ${missing[*]}" >&2
    if [[ ${CI:-} == true ]]; then
      echo "0 passed, 1 failed"
      exit 1
    fi
    echo "test.sh: continuing; tests that need these tools will fail (they never skip)" >&2
  fi
fi

# --- build ------------------------------------------------------------------------------------
if [[ -d ../shared/fixtures ]]; then
  echo "test.sh: shared fixtures found at $(cd ../shared/fixtures && pwd): SharedFixtures tests run" >&2
else
  echo "test.sh: no ../shared/fixtures: SharedFixtures tests are skipped" >&2
fi

if ! dotnet build Certification.sln -c Release -nologo -clp:ErrorsOnly -v:q; then
  echo "test.sh: build failed" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

# --- PostgreSQL: a throwaway cluster on loopback for the service's database tests ----------------
# The Api tests run their database tests against SQLite and against this server (CERTIFICATION_TEST_POSTGRES).
pg_bin=/usr/lib/postgresql/15/bin
if [[ ! -x $pg_bin/initdb ]]; then
  echo "test.sh: installing postgresql" >&2
  sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq --no-install-recommends postgresql >/dev/null || true
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
fi
pg_dir=""
stop_postgres() {
  if [[ -n $pg_dir && -d $pg_dir ]]; then
    as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
  fi
}
as_postgres() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}
if [[ -n ${pg_bin:-} && -x $pg_bin/initdb ]]; then
  pg_dir=$(mktemp -d /tmp/certification-pg.XXXXXX)
  [[ $(id -u) -eq 0 ]] && chown postgres "$pg_dir"
  pg_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  trap stop_postgres EXIT
  if as_postgres "$pg_bin/initdb" -D "$pg_dir/data" -U postgres -A trust --no-sync >"$pg_dir/initdb.log" 2>&1 &&
     as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 30 \
       -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $pg_dir -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null; then
    export CERTIFICATION_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=postgres"
    echo "test.sh: PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$pg_port for the database tests" >&2
  else
    echo "test.sh: could not start PostgreSQL (see below); the PostgreSQL tests will fail" >&2
    cat "$pg_dir"/*.log >&2 || true
  fi
else
  echo "test.sh: no PostgreSQL server binaries; the PostgreSQL tests will fail" >&2
  if [[ ${CI:-} == true ]]; then
    echo "0 passed, 1 failed"
    exit 1
  fi
fi

# --- test -------------------------------------------------------------------------------------
results=$root/TestResults/trx
rm -rf "$results"
mkdir -p "$results"
status=0
# One `dotnet test` per test project (all of Certification.sln's test projects), each into its own
# results folder, so no two TRX files can collide on a name.
mapfile -t projects < <(grep -l '<PackageReference Include="Microsoft.NET.Test.Sdk"' tests/*/*.csproj)
for proj in "${projects[@]}"; do
  name=$(basename "$proj" .csproj)
  dotnet test "$proj" -c Release --no-build -nologo -v:q \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" \
    --results-directory "$results/$name" || status=$?
done

# --- totals over every project's TRX ------------------------------------------------------------
passed=0 failed=0 skipped=0 files=0
shopt -s nullglob
for trx in "$results"/*/*.trx; do
  files=$((files + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n1)
  get() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$counters"; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  # xunit skips appear as total minus executed, not as notExecuted.
  skipped=$((skipped + $(get total) - $(get executed)))
done
if ((files < ${#projects[@]})); then
  echo "test.sh: only $files result files for ${#projects[@]} test projects (a test host crashed?)" >&2
  failed=$((failed + ${#projects[@]} - files))
fi
if ((skipped)); then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
if ((failed || status)); then exit 1; fi
