#!/usr/bin/env bash
# The cost of the audit trail: the same binary with the trail on (the
# default: JSON-lines files in DATA_DIR/audit, data events included) and off
# (--audit=false), alternated so that drift on the machine hits both alike:
# AssumeRole (bench/setup, 1 role) and 4 KiB GET and PUT with temporary
# credentials and a bucket policy in force (bench/s3setup), wrk with 16
# connections. Prints medians and on/off, and checks that the trail holds an
# event for every request wrk counted (nothing dropped). Needs wrk.
# Everything listens on 127.0.0.1 only. The STS quotas are off
# (GATEHOUSE_STS_*_RATE=0), and a load with any request answered other than
# 2xx stops the script.
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${DUR:-10s}
ROUNDS=${ROUNDS:-3}
LOADS=${LOADS:-"AssumeRole GET PUT"}
EXTRA=${EXTRA:-} # more serve flags for the "on" runs
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT
go build -o "$tmp/gatehouse" ./cmd/gatehouse
go build -o "$tmp/setup" ./bench/setup
go build -o "$tmp/s3setup" ./bench/s3setup
KEY=AKIABENCHROOT0000001
SECRET=benchRootSecret0123456789abcdefghijklmno
URL=http://127.0.0.1:8795

start() { # $1 = on|off; sets pid and data
  data=$tmp/data-$1-$RANDOM
  local flags=()
  [ "$1" = off ] && flags=(--audit=false)
  [ "$1" = on ] && [ -n "$EXTRA" ] && flags=($EXTRA)
  GATEHOUSE_STS_PRINCIPAL_RATE=0 GATEHOUSE_STS_ACCOUNT_RATE=0 \
  GATEHOUSE_ROOT_ACCESS_KEY_ID=$KEY GATEHOUSE_ROOT_SECRET_ACCESS_KEY=$SECRET \
    "$tmp/gatehouse" serve --listen 127.0.0.1:8795 --data-dir "$data" --account-id 111122223333 --log-level warn "${flags[@]}" >/dev/null 2>&1 &
  pid=$!
  for i in $(seq 100); do curl -s -o /dev/null $URL/ && return; sleep 0.1; done
  echo "server did not start" >&2; exit 1
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; }
# events counts the trail's events once the server has stopped (and flushed).
events() { cat "$data"/audit/*.jsonl 2>/dev/null | wc -l; }

load() { # $1 = label, $2 = load name, $3 = lua script
  local out
  out=$(wrk -t2 -c16 -d"$DUR" -s "$tmp/$3" $URL/)
  printf '%-4s %-11s %s  requests %s\n' "$1" "$2" "$(grep -E 'Requests/sec' <<<"$out")" "$(grep -Eo '^ +[0-9]+ requests' <<<"$out" | tr -d ' requests')"
  # A figure over failed requests (a throttled AssumeRole, say) measures
  # the wrong thing: stop.
  if grep -E 'Non-2xx|Socket errors' <<<"$out"; then
    echo "$2 ($1): some requests failed; the figures are not valid" >&2; stop; exit 1
  fi
}

has() { [[ " $LOADS " == *" $1 "* ]]; }

run() { # $1 = on|off
  if has AssumeRole; then
    start "$1"
    "$tmp/setup" --url $URL --key $KEY --secret $SECRET --account 111122223333 --roles 0 --data-dir "$data" --out "$tmp" >/dev/null
    load "$1" AssumeRole assumerole.lua
    stop
    if [ "$1" = on ]; then echo "on   trail       $(events) events"; fi
    rm -rf "$data"
  fi
  if has GET || has PUT; then
    start "$1"
    "$tmp/s3setup" --url $URL --key $KEY --secret $SECRET --account 111122223333 --out "$tmp" >/dev/null
    if has GET; then load "$1" GET s3get.lua; fi
    if has PUT; then load "$1" PUT s3put.lua; fi
    stop
    if [ "$1" = on ]; then echo "on   trail       $(events) events"; fi
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
