#!/usr/bin/env bash
# S3 versioning figures for docs/benchmarks.md, over loopback with the load
# tool (cmd/gatehouse-bench, 16 workers, every request signed afresh) with
# the role's temporary credentials and a bucket policy in force: 4 KiB PUT
# to an unversioned bucket and to a versioning-enabled one (--versioned),
# alternated in each round so that drift on the machine hits both alike
# (5,000 keys cycled, --cycle-keys: the unversioned bucket frees the
# replaced object's bytes, the versioned one keeps every version); then
# ListObjectVersions pages of 1,000 entries starting at random versions
# (workload s3-list-versions), in a bucket of 10,000 and of LIST_MAX
# versions (1,000 per key, written straight into the stopped server's store
# by `gatehouse-bench setup --seed-db --versions`). Prints the load average
# before each load. Everything listens on 127.0.0.1 only; a load with any
# failed request stops the script.
# Env: DUR (10s), ROUNDS (3; 0 measures the listing only), LIST_MAX
# (1000000, a multiple of 1,000), LIST_ROUNDS (3), CONC (16), PORT (8796).
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${DUR:-10s}
ROUNDS=${ROUNDS:-3} # PUT rounds; 0 measures the listing only
LIST_MAX=${LIST_MAX:-1000000}
LIST_ROUNDS=${LIST_ROUNDS:-3}
CONC=${CONC:-16}
PORT=${PORT:-8796}
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT
go build -o "$tmp/gatehouse" ./cmd/gatehouse
go build -o "$tmp/gatehouse-bench" ./cmd/gatehouse-bench
B=$tmp/gatehouse-bench
export AWS_ACCESS_KEY_ID=AKIABENCHROOT0000001 AWS_SECRET_ACCESS_KEY=benchRootSecret0123456789abcdefghijklmno
URL=http://127.0.0.1:$PORT

start() { # $1 = data dir
  GATEHOUSE_STS_PRINCIPAL_RATE=0 GATEHOUSE_STS_ACCOUNT_RATE=0 \
  GATEHOUSE_ROOT_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID GATEHOUSE_ROOT_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY \
    "$tmp/gatehouse" serve --listen 127.0.0.1:$PORT --data-dir "$1" --account-id 111122223333 --log-level warn >/dev/null 2>&1 &
  pid=$!
  for i in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || { echo "server exited (is 127.0.0.1:$PORT taken? set PORT)" >&2; exit 1; }
    curl -s -o /dev/null $URL/ && return; sleep 0.1
  done
  echo "server did not start" >&2; exit 1
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; }

load() { # $1 = label, then gatehouse-bench run flags
  local label=$1 out loadavg
  shift
  loadavg=$(cut -d' ' -f1-3 /proc/loadavg)
  # Exit status 2: the run had failed requests; 1: it could not start.
  if ! out=$("$B" run --endpoint $URL --setup gatehouse --concurrency "$CONC" --duration "$DUR" --json "$@"); then
    echo "$out" >&2; echo "$label: the run failed or had failed requests; the figures are not valid" >&2; stop; exit 1
  fi
  printf '%-26s rate=%.0f/s  p50=%.2fms p99=%.2fms  (load %s)\n' "$label" "$(jq -r .req_per_s <<<"$out")" \
    "$(jq -r .p50_ms <<<"$out")" "$(jq -r .p99_ms <<<"$out")" "$loadavg"
}
put() { load "PUT unversioned" --workload s3-put-small --cycle-keys 5000 --bucket bench; }
putv() { load "PUT versioned" --workload s3-put-small --cycle-keys 5000 --bucket bench-v --versioned; }

for r in $(seq "$ROUNDS"); do
  data=$tmp/data-$r
  start "$data"
  if [ $((r % 2)) = 1 ]; then put; putv; else putv; put; fi
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
"$B" setup --endpoint $URL --setup gatehouse --bucket bench-v --versioned >/dev/null
"$B" setup --endpoint $URL --setup gatehouse --bucket bench-vl --versioned >/dev/null
stop
"$B" setup --seed-db "$data/gatehouse.db" --bucket bench-v --versions 10000
"$B" setup --seed-db "$data/gatehouse.db" --bucket bench-vl --versions "$LIST_MAX"
start "$data"
list() { load "ListObjectVersions $1" --workload s3-list-versions --bucket "$2" --versions "$1"; }
for r in $(seq "$LIST_ROUNDS"); do
  if [ $((r % 2)) = 1 ]; then
    list 10000 bench-v; list "$LIST_MAX" bench-vl
  else
    list "$LIST_MAX" bench-vl; list 10000 bench-v
  fi
done
stop
