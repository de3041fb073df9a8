#!/usr/bin/env bash
# STS load figures for docs/benchmarks.md: AssumeRole and GetCallerIdentity
# over loopback with wrk (16 connections), against a bare token-minting
# handler as the reference, with 1 role and with 100,000 roles.
# Needs wrk (apt-get install wrk). Everything listens on 127.0.0.1 only.
# The STS quotas are off (GATEHOUSE_STS_*_RATE=0): these are the server's
# own rates.
set -euo pipefail
cd "$(dirname "$0")/.."
ROLES=${ROLES:-100000}
DUR=${DUR:-10s}
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT
go build -o "$tmp/gatehouse" ./cmd/gatehouse
go build -o "$tmp/reference" ./bench/reference
go build -o "$tmp/setup" ./bench/setup

reference() { # the bare handler, sent the very same signed request bytes
  "$tmp/reference" --listen 127.0.0.1:8799 & local pid=$!
  sleep 0.5
  echo "reference (bare handler minting a sealed token), same request as AssumeRole:"
  wrk -t2 -c16 -d"$DUR" -s "$tmp/assumerole.lua" http://127.0.0.1:8799/ | tail -1
  kill $pid; wait $pid 2>/dev/null || true
}

run() { # $1 = label, $2 = extra roles
  local dir="$tmp/data-$2"
  GATEHOUSE_STS_PRINCIPAL_RATE=0 GATEHOUSE_STS_ACCOUNT_RATE=0 GATEHOUSE_ROOT_ACCESS_KEY_ID=AKIABENCHROOT0000001 GATEHOUSE_ROOT_SECRET_ACCESS_KEY=benchRootSecret0123456789abcdefghijklmno \
    "$tmp/gatehouse" serve --listen 127.0.0.1:8798 --data-dir "$dir" --account-id 111122223333 --log-level warn >/dev/null 2>&1 &
  local pid=$!
  for i in $(seq 50); do curl -s -o /dev/null http://127.0.0.1:8798/ && break; sleep 0.1; done
  "$tmp/setup" --url http://127.0.0.1:8798 --key AKIABENCHROOT0000001 --secret benchRootSecret0123456789abcdefghijklmno \
    --account 111122223333 --roles "$2" --data-dir "$dir" --out "$tmp"
  echo "$1 AssumeRole:"
  wrk -t2 -c16 -d"$DUR" -s "$tmp/assumerole.lua" http://127.0.0.1:8798/ | tail -1
  echo "$1 GetCallerIdentity:"
  wrk -t2 -c16 -d"$DUR" -s "$tmp/getcalleridentity.lua" http://127.0.0.1:8798/ | tail -1
  kill $pid; wait $pid 2>/dev/null || true
}
run "1 role:" 0
reference
run "$ROLES roles:" "$ROLES"
reference
