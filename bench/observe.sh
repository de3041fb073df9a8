#!/usr/bin/env bash
# The cost of the access log and the metrics, in one run of one binary:
# "off" serves with --access-log=false and no admin listener (so no
# metrics are collected); "on" serves with the access log written to a
# file at --log-level info and --admin-listen (metrics on, scraped once a
# second as Prometheus would). Alternates off, on, off, on so drift on the
# machine hits both alike (each load back to back in both modes, the order
# swapped every round): AssumeRole (bench/setup, 1 role) and 4 KiB GET
# and PUT with temporary credentials and a bucket policy in force
# (bench/s3setup). Needs wrk. Everything listens on 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${DUR:-10s}
ROUNDS=${ROUNDS:-3}
tmp=$(mktemp -d)
pid= scraper=
trap 'kill $pid $scraper $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT
go build -o "$tmp/gatehouse" ./cmd/gatehouse
go build -o "$tmp/setup" ./bench/setup
go build -o "$tmp/s3setup" ./bench/s3setup
KEY=AKIABENCHROOT0000001
SECRET=benchRootSecret0123456789abcdefghijklmno
URL=http://127.0.0.1:8795
ADMIN=127.0.0.1:8794

start() { # $1 = off | on; sets pid, data and log
  data=$tmp/data-$1-$RANDOM
  log=$tmp/log-$1
  local extra=(--access-log=false)
  if [ "$1" = on ]; then extra=(--access-log=true --admin-listen $ADMIN); fi
  GATEHOUSE_ROOT_ACCESS_KEY_ID=$KEY GATEHOUSE_ROOT_SECRET_ACCESS_KEY=$SECRET \
    "$tmp/gatehouse" serve --listen 127.0.0.1:8795 --data-dir "$data" --account-id 111122223333 --log-level info \
    "${extra[@]}" >/dev/null 2>"$log" &
  pid=$!
  for i in $(seq 100); do curl -s -o /dev/null $URL/ && break; sleep 0.1; done
  scraper=
  if [ "$1" = on ]; then
    (while curl -s -o /dev/null http://$ADMIN/metrics; do sleep 1; done) &
    scraper=$!
  fi
}
stop() {
  if [ -n "$scraper" ]; then kill "$scraper" 2>/dev/null || true; wait "$scraper" 2>/dev/null || true; fi
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "        ($(grep -c 'msg=request' "$log" || true) access-log lines)" >&2
  rm -rf "$data" "$log"
}

load() { # $1 = mode, $2 = label, $3 = script
  printf '%-4s %-11s ' "$1" "$2"
  wrk -t2 -c16 -d"$DUR" -s "$tmp/$3" $URL/ | grep -E 'Requests/sec|Non-2xx|errors'
}

sts() { # $1 = off | on
  start "$1"
  "$tmp/setup" --url $URL --key $KEY --secret $SECRET --account 111122223333 --roles 0 --data-dir "$data" --out "$tmp" >/dev/null
  load "$1" AssumeRole assumerole.lua
  stop
}
s3() { # $1 = off | on
  start "$1"
  "$tmp/s3setup" --url $URL --key $KEY --secret $SECRET --account 111122223333 --out "$tmp" >/dev/null
  load "$1" "GET 4 KiB" s3get.lua
  load "$1" "PUT 4 KiB" s3put.lua
  stop
}
# Each load runs off and on back to back; odd rounds start with off, even
# rounds with on, so neither mode always runs first.
for r in $(seq "$ROUNDS"); do
  if [ $((r % 2)) = 1 ]; then a=off b=on; else a=on b=off; fi
  sts $a; sts $b
  s3 $a; s3 $b
done | tee "$tmp/results"
echo
python3 - "$tmp/results" <<'PY'
import statistics, sys
v = {}
for line in open(sys.argv[1]):
    if "Requests/sec" not in line:
        continue
    f = line.split()
    v.setdefault((f[0], f[1]), []).append(float(f[-1]))
for load in ("AssumeRole", "GET", "PUT"):
    off, on = v[("off", load)], v[("on", load)]
    a, b = statistics.median(off), statistics.median(on)
    print(f"{load:11} off {a:8.0f}/s ({min(off):.0f}-{max(off):.0f})  on {b:8.0f}/s ({min(on):.0f}-{max(on):.0f})  on/off {b / a:.3f}")
PY
