#!/usr/bin/env bash
# SSE-S3 against plain storage for docs/benchmarks.md: a single-stream
# 256 MiB PUT and GET (and a 256 MiB multipart upload) through the whole
# HTTP stack with bench/s3large, once against a server storing new objects
# in clear (--s3-encrypt-objects=false) and once against one encrypting
# them with SSE-S3 (the default), alternating ROUNDS times on a fresh data
# dir each. Prints the load average before every run: the machine is shared.
# DATA_PARENT=/dev/shm keeps the data dir on tmpfs (what the server's CPU
# sustains when the disk is not the limit). Everything listens on 127.0.0.1
# only; the data lives in a temp dir. Env: ROUNDS (3), SIZE (268435456),
# DATA_PARENT, PORT (8798).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
SIZE=${SIZE:-268435456}
PORT=${PORT:-8798}
tmp=$(mktemp -d)
data=$(mktemp -d "${DATA_PARENT:-$tmp}/gatehouse-sse-bench.XXXXXX")
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp" "$data"' EXIT
go build -o "$tmp/gatehouse" ./cmd/gatehouse
go build -o "$tmp/s3setup" ./bench/s3setup
go build -o "$tmp/s3large" ./bench/s3large
KEY=AKIABENCHROOT0000001
SECRET=benchRootSecret0123456789abcdefghijklmno
URL=http://127.0.0.1:$PORT

start() { # $1: encrypt objects (true/false)
  rm -rf "$data/data"
  GATEHOUSE_ROOT_ACCESS_KEY_ID=$KEY GATEHOUSE_ROOT_SECRET_ACCESS_KEY=$SECRET \
    "$tmp/gatehouse" serve --listen 127.0.0.1:$PORT --data-dir "$data/data" --account-id 111122223333 --log-level warn \
    --s3-encrypt-objects="$1" >/dev/null 2>&1 &
  pid=$!
  for i in $(seq 100); do curl -s -o /dev/null $URL/ && return; sleep 0.1; done
  echo "server did not start" >&2; exit 1
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; }

for round in $(seq "$ROUNDS"); do
  for mode in false true; do
    start "$mode"
    "$tmp/s3setup" --url $URL --key $KEY --secret $SECRET --account 111122223333 --out "$tmp" --objects 1 >/dev/null
    label=plain; [ "$mode" = true ] && label=SSE-S3
    echo "round $round, $label (load average: $(cut -d' ' -f1-3 /proc/loadavg)):"
    "$tmp/s3large" --url $URL --creds "$tmp/temp-credentials" --pid "$pid" --dir "$tmp" \
      --size "$SIZE" --multipart-size "$SIZE" --part-size 67108864 --concurrency 4
    stop
  done
done
