#!/usr/bin/env bash
# S3 versioning figures for docs/benchmarks.md, over loopback with temporary
# credentials and a bucket policy in force (bench/s3setup), wrk with 16
# connections: 4 KiB PUT to an unversioned bucket and to a
# versioning-enabled one, alternated in each round so that drift on the
# machine hits both alike (5,000 keys cycled: the unversioned bucket frees
# the replaced object's bytes, the versioned one keeps every version); then
# ListObjectVersions pages of 1,000 entries starting at random versions, in a
# bucket of 10,000 and of 1,000,000 versions (1,000 per key, written straight
# into the stopped server's store). Prints the load average before each
# load. Needs wrk. Everything listens on 127.0.0.1 only; a load with any
# request answered other than 2xx stops the script.
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${DUR:-10s}
ROUNDS=${ROUNDS:-3} # PUT rounds; 0 measures the listing only
LIST_MAX=${LIST_MAX:-1000000}
LIST_ROUNDS=${LIST_ROUNDS:-3}
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT
go build -o "$tmp/gatehouse" ./cmd/gatehouse
go build -o "$tmp/s3setup" ./bench/s3setup
KEY=AKIABENCHROOT0000001
SECRET=benchRootSecret0123456789abcdefghijklmno
URL=http://127.0.0.1:8796

start() { # $1 = data dir
  GATEHOUSE_STS_PRINCIPAL_RATE=0 GATEHOUSE_STS_ACCOUNT_RATE=0 \
  GATEHOUSE_ROOT_ACCESS_KEY_ID=$KEY GATEHOUSE_ROOT_SECRET_ACCESS_KEY=$SECRET \
    "$tmp/gatehouse" serve --listen 127.0.0.1:8796 --data-dir "$1" --account-id 111122223333 --log-level warn >/dev/null 2>&1 &
  pid=$!
  for i in $(seq 100); do curl -s -o /dev/null $URL/ && return; sleep 0.1; done
  echo "server did not start" >&2; exit 1
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; }

load() { # $1 = label, $2 = lua script
  local out
  out=$(wrk -t2 -c16 -d"$DUR" -s "$tmp/$2" $URL/)
  printf '%-24s %s  %s  (load %s)\n' "$1" "$(grep -Eo 'rate=[0-9]+/s' <<<"$out")" "$(grep -Eo 'p50=[0-9.]+ms p99=[0-9.]+ms' <<<"$out")" \
    "$(cut -d' ' -f1-3 /proc/loadavg)"
  if grep -E 'Non-2xx|Socket errors|non2xx_or_errors=[1-9]' <<<"$out"; then
    echo "$1: some requests failed; the figures are not valid" >&2; stop; exit 1
  fi
}

for r in $(seq "$ROUNDS"); do
  data=$tmp/data-$r
  start "$data"
  "$tmp/s3setup" --url $URL --key $KEY --secret $SECRET --account 111122223333 --out "$tmp" --objects 10 --versioned >/dev/null
  if [ $((r % 2)) = 1 ]; then
    load "PUT unversioned" s3put.lua; load "PUT versioned" s3putv.lua
  else
    load "PUT versioned" s3putv.lua; load "PUT unversioned" s3put.lua
  fi
  stop
  rm -rf "$data"
done | tee "$tmp/results"
python3 - "$tmp/results" <<'PY'
import re, statistics, sys
rates = {}
for line in open(sys.argv[1]):
    m = re.match(r"(PUT \w+)\s+rate=(\d+)/s", line)
    if m:
        rates.setdefault(m.group(1), []).append(int(m.group(2)))
for k, v in sorted(rates.items()):
    print(f"{k}: median {statistics.median(v):.0f}/s over {len(v)} runs {v}")
if len(rates) == 2:
    print(f"versioned / unversioned: {statistics.median(rates['PUT versioned']) / statistics.median(rates['PUT unversioned']):.2f}")
PY

# Version listing: one data directory, bench-v seeded with 10,000 versions
# and bench-vl with LIST_MAX (under vers/), the two loads alternated for
# LIST_ROUNDS rounds on one server.
data=$tmp/data-list
start "$data"
"$tmp/s3setup" --url $URL --key $KEY --secret $SECRET --account 111122223333 --out "$tmp" --objects 10 --versioned >/dev/null
stop
"$tmp/s3setup" --url $URL --out "$tmp" --seed-db "$data/gatehouse.db" --versions-bucket bench-v --seed-versions 10000 2>&1 | tail -1
"$tmp/s3setup" --url $URL --out "$tmp" --seed-db "$data/gatehouse.db" --versions-bucket bench-vl --seed-versions "$LIST_MAX" 2>&1 | tail -1
start "$data"
for r in $(seq "$LIST_ROUNDS"); do
  if [ $((r % 2)) = 1 ]; then
    load "ListObjectVersions 10000" s3listv-bench-v.lua; load "ListObjectVersions $LIST_MAX" s3listv-bench-vl.lua
  else
    load "ListObjectVersions $LIST_MAX" s3listv-bench-vl.lua; load "ListObjectVersions 10000" s3listv-bench-v.lua
  fi
done
stop
