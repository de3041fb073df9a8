#!/usr/bin/env bash
# S3 load figures for docs/benchmarks.md, over loopback with cmd/gatehouse-bench
# (every request signed afresh) with temporary credentials and a bucket
# policy in force: 4 KiB GET and PUT and 1,000-key ListObjectsV2 pages (16
# workers), listing again on buckets of 10,000, 100,000 and 1,000,000 keys
# (records seeded into the stopped server's store), then large-object
# throughput (PUT, GET with a hot and a cold page cache, multipart) and the
# server's peak memory. Everything listens on 127.0.0.1 only; the data
# lives in a temp dir. Cold-cache GETs drop the page cache: run as root.
# Env: DUR (10s), LIST_MAX (1000000), LARGE (256MiB), MPU (1GiB), PORT (8797),
# JSON=1 for JSON lines.
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${DUR:-10s}
LIST_MAX=${LIST_MAX:-1000000}
LARGE=${LARGE:-256MiB}
MPU=${MPU:-1GiB}
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT
go build -o "$tmp/gatehouse" ./cmd/gatehouse
go build -o "$tmp/gatehouse-bench" ./cmd/gatehouse-bench
export AWS_ACCESS_KEY_ID=AKIABENCHROOT0000001 AWS_SECRET_ACCESS_KEY=benchRootSecret0123456789abcdefghijklmno
PORT=${PORT:-8797}
URL=http://127.0.0.1:$PORT
json=()
[ -z "${JSON:-}" ] || json=(--json)

DATA=$tmp/data
start() {
  GATEHOUSE_ROOT_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID GATEHOUSE_ROOT_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY \
    "$tmp/gatehouse" serve --listen 127.0.0.1:$PORT --data-dir "$DATA" --account-id 111122223333 --log-level warn >/dev/null 2>&1 &
  pid=$!
  for i in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || { echo "server exited (is 127.0.0.1:$PORT taken? set PORT)" >&2; exit 1; }
    curl -s -o /dev/null $URL/ && return; sleep 0.1
  done
  echo "server did not start" >&2; exit 1
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; }
bench() { "$tmp/gatehouse-bench" run --endpoint $URL --setup gatehouse --pid "$pid" --duration "$DUR" "${json[@]}" "$@"; }

start
bench --workload s3-get-small --label "4 KiB GET"
bench --workload s3-put-small --label "4 KiB PUT, each acknowledged PUT fsync'd: blob and metadata"
stop

have=0
for n in 10000 100000 1000000; do
  [ "$n" -le "$LIST_MAX" ] || break
  "$tmp/gatehouse-bench" setup --seed-db "$DATA/gatehouse.db" --keys "$n"
  start
  bench --workload s3-list --keys "$n" --label "bucket of $n keys"
  stop
done

large() { # $1 = where the data dir is
  start
  bench --workload s3-put-large --size "$LARGE" --label "$1"
  bench --workload s3-get-large --size "$LARGE" --label "$1, hot cache"
  bench --workload s3-get-large --size "$LARGE" --cache cold --label "$1, cold cache"
  bench --workload s3-multipart --size "$MPU" --label "$1, 16 MiB parts, 4 in flight"
  stop
}
large "data dir on the disk"

# The same with the data dir in memory (tmpfs): what the server itself
# sustains when the disk is not the limit.
if [ -d /dev/shm ]; then
  shm=$(mktemp -d /dev/shm/gatehouse-bench.XXXXXX)
  trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp" "$shm"' EXIT
  DATA=$shm/data
  large "data dir on tmpfs"
fi
