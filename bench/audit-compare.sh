#!/usr/bin/env bash
# The cost of the audit trail: the same binary with the trail on (the
# default: JSON-lines files in DATA_DIR/audit, data events included) and off
# (--audit=false), alternated so that drift on the machine hits both alike,
# with the load tool (cmd/gatehouse-bench, 16 workers, every request signed
# afresh): AssumeRole (the tool's user and role) and 4 KiB GET and PUT with
# the role's temporary credentials and a bucket policy in force (workloads
# sts-assume-role, s3-get-small, s3-put-small). Prints medians and on/off,
# and checks that the trail holds an event for every request the tool
# counted (nothing dropped): after every "on" server it compares the
# trail's events with the requests the tool's runs counted (their --json
# "requests"); the tool's setup and prefill requests (IAM, AssumeRole, the
# GET objects' PUTs) make events too, so the check is events >= requests.
# Everything listens on 127.0.0.1 only. The STS quotas are off
# (GATEHOUSE_STS_*_RATE=0), and a load with any failed request stops the
# script.
# Env: DUR (10s), ROUNDS (3), LOADS ("AssumeRole GET PUT"), EXTRA (more
# serve flags for the "on" runs), CONC (16), PORT (8795).
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${DUR:-10s}
ROUNDS=${ROUNDS:-3}
LOADS=${LOADS:-"AssumeRole GET PUT"}
EXTRA=${EXTRA:-} # more serve flags for the "on" runs
CONC=${CONC:-16}
PORT=${PORT:-8795}
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT
go build -o "$tmp/gatehouse" ./cmd/gatehouse
go build -o "$tmp/gatehouse-bench" ./cmd/gatehouse-bench
export AWS_ACCESS_KEY_ID=AKIABENCHROOT0000001 AWS_SECRET_ACCESS_KEY=benchRootSecret0123456789abcdefghijklmno
URL=http://127.0.0.1:$PORT

start() { # $1 = on|off; sets pid, data and counted
  data=$tmp/data-$1-$RANDOM
  counted=0
  local flags=()
  [ "$1" = off ] && flags=(--audit=false)
  [ "$1" = on ] && [ -n "$EXTRA" ] && flags=($EXTRA)
  GATEHOUSE_STS_PRINCIPAL_RATE=0 GATEHOUSE_STS_ACCOUNT_RATE=0 \
  GATEHOUSE_ROOT_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID GATEHOUSE_ROOT_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY \
    "$tmp/gatehouse" serve --listen 127.0.0.1:$PORT --data-dir "$data" --account-id 111122223333 --log-level warn "${flags[@]}" >/dev/null 2>&1 &
  pid=$!
  for i in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || { echo "server ($1) exited (is 127.0.0.1:$PORT taken? set PORT)" >&2; exit 1; }
    curl -s -o /dev/null $URL/ && return; sleep 0.1
  done
  echo "server did not start" >&2; exit 1
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; }
# events counts the trail's events once the server has stopped (and flushed).
events() { cat "$data"/audit/*.jsonl 2>/dev/null | wc -l; }

load() { # $1 = label, $2 = load name, $3 = workload
  local out
  # A figure over failed requests (a throttled AssumeRole, say) measures
  # the wrong thing: stop (exit status 2: the run had failed requests; 1:
  # it could not start).
  if ! out=$("$tmp/gatehouse-bench" run --endpoint $URL --setup gatehouse --workload "$3" --concurrency "$CONC" --duration "$DUR" --json); then
    echo "$out" >&2; echo "$2 ($1): the run failed or had failed requests; the figures are not valid" >&2; stop; exit 1
  fi
  local n
  n=$(jq -r .requests <<<"$out")
  counted=$((counted + n))
  printf '%-4s %-11s Requests/sec: %s  requests %s  p50 %sms p99 %sms\n' "$1" "$2" "$(jq -r .req_per_s <<<"$out")" "$n" \
    "$(jq -r .p50_ms <<<"$out")" "$(jq -r .p99_ms <<<"$out")"
}

# trail checks, after an "on" server stopped, that its trail holds at least
# an event per request the tool counted.
trail() {
  local e
  e=$(events)
  echo "on   trail       $e events, $counted requests counted"
  if [ "$e" -lt "$counted" ]; then
    echo "the audit trail holds $e events for $counted requests: events were dropped" >&2; exit 1
  fi
}

has() { [[ " $LOADS " == *" $1 "* ]]; }

run() { # $1 = on|off
  if has AssumeRole; then
    start "$1"
    load "$1" AssumeRole sts-assume-role
    stop
    if [ "$1" = on ]; then trail; fi
    rm -rf "$data"
  fi
  if has GET || has PUT; then
    start "$1"
    if has GET; then load "$1" GET s3-get-small; fi
    if has PUT; then load "$1" PUT s3-put-small; fi
    stop
    if [ "$1" = on ]; then trail; fi
    rm -rf "$data"
  fi
}
for r in $(seq "$ROUNDS"); do
  if [ $((r % 2)) = 1 ]; then run off; run on; else run on; run off; fi
done | tee "$tmp/results"
echo
python3 - "$tmp/results" <<'PY'
import statistics, sys
v = {}
for line in open(sys.argv[1]):
    f = line.split()
    if "Requests/sec:" in f:
        v.setdefault((f[0], f[1]), []).append(float(f[f.index("Requests/sec:") + 1]))
for load in ("AssumeRole", "GET", "PUT"):
    if ("off", load) not in v:
        continue
    off, on = statistics.median(v[("off", load)]), statistics.median(v[("on", load)])
    print(f"{load:11} off {off:9.0f}/s  on {on:9.0f}/s  on/off {on / off:.3f}  (runs: off {sorted(round(x) for x in v[('off', load)])}, on {sorted(round(x) for x in v[('on', load)])})")
PY
