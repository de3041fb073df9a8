#!/usr/bin/env bash
# S3 load figures for docs/benchmarks.md, over loopback with temporary
# credentials and a bucket policy in force: 4 KiB GET and PUT and 1,000-key
# ListObjectsV2 pages with wrk (16 connections), listing again on buckets of
# 10,000, 100,000 and 1,000,000 keys, then large-object throughput and the
# server's peak memory with bench/s3large. Needs wrk (apt-get install wrk).
# Everything listens on 127.0.0.1 only; the data lives in a temp dir.
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${DUR:-10s}
LIST_MAX=${LIST_MAX:-1000000}
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT
go build -o "$tmp/gatehouse" ./cmd/gatehouse
go build -o "$tmp/s3setup" ./bench/s3setup
go build -o "$tmp/s3large" ./bench/s3large
KEY=AKIABENCHROOT0000001
SECRET=benchRootSecret0123456789abcdefghijklmno
URL=http://127.0.0.1:8797

DATA=$tmp/data
start() {
  GATEHOUSE_ROOT_ACCESS_KEY_ID=$KEY GATEHOUSE_ROOT_SECRET_ACCESS_KEY=$SECRET \
    "$tmp/gatehouse" serve --listen 127.0.0.1:8797 --data-dir "$DATA" --account-id 111122223333 --log-level warn >/dev/null 2>&1 &
  pid=$!
  for i in $(seq 100); do curl -s -o /dev/null $URL/ && return; sleep 0.1; done
  echo "server did not start" >&2; exit 1
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; }

start
"$tmp/s3setup" --url $URL --key $KEY --secret $SECRET --account 111122223333 --out "$tmp"
echo "4 KiB GET (temporary credentials, bucket policy):"
wrk -t2 -c16 -d"$DUR" -s "$tmp/s3get.lua" $URL/ | tail -1
echo "4 KiB PUT (each acknowledged PUT fsync'd: blob and metadata):"
wrk -t2 -c16 -d"$DUR" -s "$tmp/s3put.lua" $URL/ | tail -1
stop

have=0
for n in 10000 100000 1000000; do
  [ "$n" -le "$LIST_MAX" ] || break
  "$tmp/s3setup" --url $URL --out "$tmp" --seed-db "$tmp/data/gatehouse.db" --list-keys $((n - have)) 2>&1 | tail -1
  have=$n
  start
  echo "ListObjectsV2, 1,000-key pages, bucket of $n keys:"
  wrk -t2 -c16 -d"$DUR" -s "$tmp/s3list.lua" $URL/ | tail -1
  stop
done

echo "Large objects, data dir on the disk:"
start
"$tmp/s3large" --url $URL --creds "$tmp/temp-credentials" --pid "$pid" --dir "$tmp"
stop

# The same with the data dir in memory (tmpfs): what the server itself
# sustains when the disk is not the limit.
if [ -d /dev/shm ]; then
  shm=$(mktemp -d /dev/shm/gatehouse-bench.XXXXXX)
  trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp" "$shm"' EXIT
  DATA=$shm/data
  start
  "$tmp/s3setup" --url $URL --key $KEY --secret $SECRET --account 111122223333 --out "$shm" --objects 1 >/dev/null
  echo "Large objects, data dir on tmpfs:"
  "$tmp/s3large" --url $URL --creds "$shm/temp-credentials" --pid "$pid" --dir "$tmp"
  stop
fi
