#!/usr/bin/env bash
# STS load figures for docs/benchmarks.md: AssumeRole and GetCallerIdentity
# over loopback with cmd/gatehouse-bench (16 workers, every request signed
# afresh), against the tool's ceiling server (a bare handler minting a
# sealed token per request) as the reference, with 1 role and with 100,000
# roles (created in extra accounts through the data dir, 1,000 each).
# Everything listens on 127.0.0.1 only. The STS quotas are off
# (GATEHOUSE_STS_*_RATE=0): these are the server's own rates.
# Env: ROLES (100000), DUR (10s), CONC (16), PORT (8798), JSON=1 for JSON lines.
set -euo pipefail
cd "$(dirname "$0")/.."
ROLES=${ROLES:-100000}
DUR=${DUR:-10s}
CONC=${CONC:-16}
PORT=${PORT:-8798} # Gatehouse; the reference listens on PORT+1
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT
go build -o "$tmp/gatehouse" ./cmd/gatehouse
go build -o "$tmp/gatehouse-bench" ./cmd/gatehouse-bench
B=$tmp/gatehouse-bench
json=()
[ -z "${JSON:-}" ] || json=(--json)
export AWS_ACCESS_KEY_ID=AKIABENCHROOT0000001 AWS_SECRET_ACCESS_KEY=benchRootSecret0123456789abcdefghijklmno

reference() { # the ceiling: no authentication, a sealed token per request
  mkdir -p "$tmp/ceiling"
  "$B" ceiling --listen 127.0.0.1:$((PORT + 1)) --dir "$tmp/ceiling" 2>/dev/null & local pid=$!
  for i in $(seq 50); do curl -s -o /dev/null http://127.0.0.1:$((PORT + 1))/ && break; sleep 0.1; done
  for w in sts-assume-role sts-get-caller-identity; do
    "$B" run --endpoint http://127.0.0.1:$((PORT + 1)) --setup none --workload $w --concurrency "$CONC" --duration "$DUR" --pid $pid --label reference "${json[@]}"
  done
  kill $pid; wait $pid 2>/dev/null || true
}

run() { # $1 = label, $2 = extra roles
  local dir="$tmp/data-$2"
  GATEHOUSE_STS_PRINCIPAL_RATE=0 GATEHOUSE_STS_ACCOUNT_RATE=0 GATEHOUSE_ROOT_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID GATEHOUSE_ROOT_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY \
    "$tmp/gatehouse" serve --listen 127.0.0.1:$PORT --data-dir "$dir" --account-id 111122223333 --log-level warn >/dev/null 2>&1 &
  local pid=$!
  for i in $(seq 50); do
    kill -0 $pid 2>/dev/null || { echo "server exited (is 127.0.0.1:$PORT taken? set PORT)" >&2; exit 1; }
    curl -s -o /dev/null http://127.0.0.1:$PORT/ && break; sleep 0.1
  done
  "$B" setup --endpoint http://127.0.0.1:$PORT --setup gatehouse --roles "$2" --data-dir "$dir"
  for w in sts-assume-role sts-get-caller-identity; do
    "$B" run --endpoint http://127.0.0.1:$PORT --setup gatehouse --workload $w --concurrency "$CONC" --duration "$DUR" --pid $pid --label "$1" "${json[@]}"
  done
  kill $pid; wait $pid 2>/dev/null || true
}
run "1 role" 0
reference
run "$ROLES roles" "$ROLES"
reference
