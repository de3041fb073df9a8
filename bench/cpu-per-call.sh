#!/usr/bin/env bash
# CPU per call: the ceiling (gatehouse-bench ceiling) and one or more
# Gatehouse builds, interleaved repetition by repetition, each loaded with
# one workload by cmd/gatehouse-bench; prints per run the rate, the
# server's CPU per request (utime+stime from /proc/PID/stat over the run)
# and the load tool's. The figures behind docs/benchmarks.md's "CPU per
# call" and paired AssumeRole runs. Everything on 127.0.0.1.
#
#   bench/cpu-per-call.sh LABEL=BINARY[:ENV=V,...] ...
#   e.g. bench/cpu-per-call.sh old=/tmp/gh-old new=/tmp/gh-new:GATEHOUSE_AUDIT=false
#
# Env: REPS (3), DUR per run (5s), WORKLOAD (sts-assume-role), PORT (8796:
# the ceiling; Gatehouse on PORT+1).
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=${REPS:-3}
DUR=${DUR:-5s}
WORKLOAD=${WORKLOAD:-sts-assume-role}
PORT=${PORT:-8796}
[ $# -gt 0 ] || { echo "usage: $0 LABEL=BINARY[:ENV=V,...] ..." >&2; exit 2; }
. bench/loadtool.sh
hz=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
measure() { # label pid url setup
  "$B" run --endpoint "$3" --setup "$4" --workload "$WORKLOAD" --duration 1s >/dev/null
  local a b out
  a=$(ticks "$2")
  out=$("$B" run --endpoint "$3" --setup "$4" --workload "$WORKLOAD" --duration "$DUR" --json)
  b=$(ticks "$2")
  echo "$out" | python3 -c '
import json, sys
label, ticks, hz = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
d = json.loads(sys.stdin.read())
n = d["requests"]
print("%-10s req/s %8.0f server_us %5.1f client_us %5.1f" % (label, d["req_per_s"], ticks / hz * 1e6 / n, d["client_cpu_s"] * 1e6 / n))
' "$1" $((b - a)) "$hz"
}
mkdir -p "$tmp/ceiling"
"$B" ceiling --listen 127.0.0.1:$PORT --dir "$tmp/ceiling" 2>/dev/null &
cp=$!; pids+=($cp)
for _ in $(seq 50); do curl -s -o /dev/null http://127.0.0.1:$PORT/ && break; sleep 0.1; done
for _ in $(seq "$REPS"); do
  measure ceiling $cp http://127.0.0.1:$PORT none
  for v in "$@"; do
    label=${v%%=*}; rest=${v#*=}; bin=${rest%%:*}; envs=()
    [[ $rest == *:* ]] && IFS=, read -r -a envs <<<"${rest#*:}"
    rm -rf "$tmp/data"
    env "${envs[@]}" GATEHOUSE_STS_PRINCIPAL_RATE=0 GATEHOUSE_STS_ACCOUNT_RATE=0 \
      GATEHOUSE_ROOT_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID GATEHOUSE_ROOT_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY \
      "$bin" serve --listen 127.0.0.1:$((PORT + 1)) --data-dir "$tmp/data" --account-id 111122223333 --log-level warn >"$tmp/server.log" 2>&1 &
    gp=$!
    for _ in $(seq 100); do curl -s -o /dev/null http://127.0.0.1:$((PORT + 1))/ && break; sleep 0.1; done
    measure "$label" $gp http://127.0.0.1:$((PORT + 1)) auto
    kill $gp; wait $gp 2>/dev/null || true
  done
done
