#!/usr/bin/env bash
# Publishes the playground (trimmed, Release), states its size, serves it and times it in Chromium.
# Needs `npm ci` in playground/ and tests/browser/ (.ci/run does both) and Debian's chromium.
set -euo pipefail
cd "$(dirname "$0")/../.."
site=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$site"' EXIT
dotnet publish playground -c Release -o "$site/out" --artifacts-path "$site/artifacts" >/dev/null
root="$site/out/wwwroot"
size() { find "$root" -type f "$@" -printf '%s\n' | awk '{ s += $1 } END { printf "%.1f MB", s / 1e6 }'; }
echo "Published page: $(size ! -name '*.br' ! -name '*.gz') as files ($(size -path '*/_framework/*' ! -name '*.br' ! -name '*.gz') .NET runtime and assemblies, $(size -path '*/lib/*' ! -name '*.br' ! -name '*.gz') editor libraries), $(size -path '*/_framework/*' -name '*.br') .NET part as Brotli"
node playground/serve.js "$root" --port 0 > "$site/serve.log" &
server=$!
for _ in $(seq 50); do grep -q http "$site/serve.log" 2>/dev/null && break; sleep 0.2; done
url=$(grep -o 'http://[^ ]*' "$site/serve.log")
node benchmarks/playground/bench.js "$url" "${1:-5}"
