#!/usr/bin/env bash
# Installs what the extension-host and browser tests need, into .test-tools/ (git-ignored), and
# reuses it when present: code-server 4.100.3 (VS Code 1.100.3) from npm, plus Debian's chromium,
# ripgrep, libkrb5-dev (native build of code-server's kerberos module), sqlite3 and postgresql (the
# team-sync tests start throwaway clusters of their own; the package's main cluster is never used).
# Nothing here becomes a dependency of the extension.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tools="$root/.test-tools"
cs_version="4.100.3"
debian_packages=(chromium libkrb5-dev ripgrep sqlite3 postgresql)

missing=()
if command -v dpkg-query >/dev/null; then
  for pkg in "${debian_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
else
  echo "setup: not a Debian system, so nothing is installed: make sure ${debian_packages[*]} (or your system's equivalents) are there" >&2
fi
if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; } \
      || { echo "setup: apt-get could not install ${missing[*]} (are Debian's package servers reachable?)" >&2; exit 1; }
  else
    echo "setup: missing Debian packages: ${missing[*]}" >&2
    echo "setup: install them with: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

# The OpenTelemetry interop tests run real instrumentation libraries and LLM SDKs, pinned in
# test/interop/package-lock.json apart from the extension's own dependencies (they patch modules
# globally and pull in dozens of packages): installed once, again when the lock file changes.
interop="$root/test/interop"
if ! cmp -s "$interop/package-lock.json" "$interop/node_modules/.installed-lock.json" 2>/dev/null; then
  echo "setup: installing the interop tests' instrumentation libraries (test/interop)"
  (cd "$interop" && npm ci --no-audit --no-fund --loglevel=error && cp package-lock.json node_modules/.installed-lock.json) \
    || { echo "setup: installing test/interop's packages from npm failed (is the npm registry reachable?)" >&2; exit 1; }
fi

# The unit tests need only the Debian packages and those (sqlite3 reads the files they write).
[ "${1:-}" = "--packages-only" ] && exit 0

if [ -x "$tools/code-server/node_modules/.bin/code-server" ] && [ -d "$tools/code-server/node_modules/code-server/lib/vscode/node_modules" ]; then
  exit 0
fi

echo "setup: installing code-server $cs_version into .test-tools/ (one time, about a minute)"
# @vscode/ripgrep would download rg; it skips that when its cache file exists, so seed it with Debian's rg.
cache="${TMPDIR:-/tmp}/vscode-ripgrep-cache-1.15.11"
archive="$cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
if [ ! -f "$archive" ]; then
  mkdir -p "$cache"
  staging="$(mktemp -d)"
  cp /usr/bin/rg "$staging/rg"
  tar -czf "$archive" -C "$staging" rg
  rm -rf "$staging"
fi
mkdir -p "$tools/code-server"
cd "$tools/code-server"
[ -f package.json ] || echo '{ "name": "test-tools", "private": true }' > package.json
npm_config_unsafe_perm=true npm_config_yes=true npm install --no-audit --no-fund --loglevel=error "code-server@$cs_version" \
  || { echo "setup: installing code-server $cs_version from npm failed (is the npm registry reachable?)" >&2; exit 1; }
test -d node_modules/code-server/lib/vscode/node_modules || { echo "setup: code-server's VS Code modules are missing (its install script did not run)" >&2; exit 1; }
echo "setup: code-server ready"
