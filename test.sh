#!/usr/bin/env bash
# Runs every test in PortMapper.sln on a fresh Debian machine that has the .NET SDK.
# Installs what the tests need and is missing (Chromium, Node.js/npm) with apt-get, restores, builds
# once in Release, runs all test projects and prints a summary. Exits non-zero when anything fails.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
root="$(pwd)"
log="$root/TestResults/test.log"

step() { printf '\n==> %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "Need root to run: $* (run as root or install sudo)." >&2
    exit 1
  fi
}

apt_updated=false
apt_install() {
  if [ "$apt_updated" = false ]; then
    step "apt-get update"
    as_root apt-get update
    apt_updated=true
  fi
  step "apt-get install -y $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "$@"
}

if [ -n "${PORTMAPPER_CHROMIUM:-}" ]; then
  if [ ! -x "$PORTMAPPER_CHROMIUM" ]; then
    echo "PORTMAPPER_CHROMIUM=$PORTMAPPER_CHROMIUM is not an executable; unset it to use Debian's /usr/bin/chromium." >&2
    exit 1
  fi
  step "Chromium for the browser tests: $PORTMAPPER_CHROMIUM"
elif [ -x /usr/bin/chromium ]; then
  step "Chromium for the browser tests: /usr/bin/chromium"
else
  apt_install chromium
fi

if command -v npm >/dev/null 2>&1; then
  step "npm $(npm --version 2>/dev/null) with node $(node --version)"
else
  apt_install nodejs npm
fi

# PortMapper.Web's build runs the same `npm ci` when needed; doing it once here keeps parallel builds from racing.
if [ ! -f wwwroot/node_modules/.package-lock.json ] || [ wwwroot/package-lock.json -nt wwwroot/node_modules/.package-lock.json ]; then
  step "npm ci (wwwroot/)"
  (cd wwwroot && npm ci --no-audit --no-fund)
else
  step "npm packages in wwwroot/node_modules are up to date"
fi

if [ ! -f tests/PortMapper.EndToEnd/node_modules/.package-lock.json ] || [ tests/PortMapper.EndToEnd/package-lock.json -nt tests/PortMapper.EndToEnd/node_modules/.package-lock.json ]; then
  step "npm ci (tests/PortMapper.EndToEnd/: axe-core for the accessibility checks)"
  (cd tests/PortMapper.EndToEnd && npm ci --no-audit --no-fund)
else
  step "npm packages in tests/PortMapper.EndToEnd/node_modules are up to date"
fi

step "dotnet restore PortMapper.sln"
dotnet restore PortMapper.sln

step "dotnet build PortMapper.sln -c Release"
dotnet build PortMapper.sln -c Release --no-restore

step "dotnet test PortMapper.sln -c Release"
mkdir -p "$(dirname "$log")"
status=0
dotnet test PortMapper.sln -c Release --no-build --logger "console;verbosity=minimal" 2>&1 | tee "$log" || status=$?

step "Summary"
# dotnet test prints one line per test assembly: "Passed!  - Failed: 0, Passed: 49, Skipped: 0, Total: 49, Duration: 3 s - X.dll (net10.0)"
summary="$(grep -E '^(Passed|Failed)! ' "$log" || true)"
count() { sed -n "s/.* $1: *\([0-9]*\),.*/\1/p" <<<"$summary" | awk '{ n += $1 } END { print n + 0 }'; }
if [ -n "$summary" ]; then sed 's/^/  /' <<<"$summary"; fi
echo "  Screenshots from the browser tests: $root/TestResults/screenshots"

failed=0
if [ "$status" -ne 0 ] || [ "$(count Failed)" -ne 0 ] || [ "$(count Total)" -eq 0 ]; then
  echo "FAILED: dotnet test exited with $status." >&2
  failed=1
fi
# The closing line CI reads: 'N passed, N failed, N skipped' after one word and a colon.
printf 'Tests: %d passed, %d failed, %d skipped\n' "$(count Passed)" "$(count Failed)" "$(count Skipped)"
exit "$failed"
