#!/usr/bin/env bash
# CPU and allocation profiles of Gatehouse under each load-tool workload
# (cmd/gatehouse-bench), for docs/benchmarks.md: the server runs its
# embedded default (SQLite + local disk) with --admin-pprof on loopback; for
# each workload the tool loads it for DUR while the profiler records the
# middle of the run. Writes OUT/WORKLOAD.cpu.pprof and .allocs.pprof, and
# OUT/WORKLOAD.txt with the top functions by cumulative CPU and by
# allocated bytes (go tool pprof -top). Everything on 127.0.0.1.
#
# Env: DUR (12s), OUT (./profiles), PORT (8780; the admin listener is
# PORT+1), WORKLOADS (space-separated, default every S3/STS/IAM workload),
# SMALL (4KiB), LARGE (256MiB), MPU (1GiB), PART (16MiB), KEYS (10000),
# TOP (25 lines per table), SERVER_FLAGS (extra `gatehouse serve` flags).
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${DUR:-12s}
OUT=${OUT:-profiles}
PORT=${PORT:-8780}
SMALL=${SMALL:-4KiB}
LARGE=${LARGE:-256MiB}
MPU=${MPU:-1GiB}
PART=${PART:-16MiB}
KEYS=${KEYS:-10000}
TOP=${TOP:-25}
WORKLOADS=${WORKLOADS:-"sts-assume-role sts-get-caller-identity sts-assume-role-with-web-identity iam-get-role s3-put-small s3-get-small s3-list mixed s3-put-large s3-get-large s3-multipart"}
secs=${DUR%s}
prof=$((secs > 4 ? secs - 4 : 1)) # profile the middle of the run
tmp=$(mktemp -d)
pid=
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$tmp"' EXIT
mkdir -p "$OUT"
go build -o "$tmp/gatehouse" ./cmd/gatehouse
go build -o "$tmp/gatehouse-bench" ./cmd/gatehouse-bench
URL=http://127.0.0.1:$PORT
ADMIN=http://127.0.0.1:$((PORT + 1))
# shellcheck disable=SC2086 # SERVER_FLAGS holds several flags
GATEHOUSE_STS_PRINCIPAL_RATE=0 GATEHOUSE_STS_ACCOUNT_RATE=0 \
  GATEHOUSE_ROOT_ACCESS_KEY_ID=AKIABENCHROOT0000001 GATEHOUSE_ROOT_SECRET_ACCESS_KEY=benchRootSecret0123456789abcdefghijklmno \
  "$tmp/gatehouse" serve --listen 127.0.0.1:$PORT --admin-listen 127.0.0.1:$((PORT + 1)) --admin-pprof=true \
  --data-dir "$tmp/data" --account-id 111122223333 --log-level warn ${SERVER_FLAGS:-} >"$tmp/server.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
  kill -0 "$pid" 2>/dev/null || { cat "$tmp/server.log" >&2; exit 1; }
  curl -s -o /dev/null "$URL/" && break; sleep 0.1
done
for w in $WORKLOADS; do
  flags=(--size "$SMALL")
  case $w in
    s3-put-large|s3-get-large) flags=(--size "$LARGE") ;;
    s3-multipart) flags=(--size "$MPU" --part-size "$PART") ;;
    s3-list) flags=(--keys "$KEYS") ;;
  esac
  # A short run first does the workload's setup and prefill, outside the profile.
  AWS_ACCESS_KEY_ID=AKIABENCHROOT0000001 AWS_SECRET_ACCESS_KEY=benchRootSecret0123456789abcdefghijklmno \
    "$tmp/gatehouse-bench" run --endpoint "$URL" --workload "$w" --duration 1s "${flags[@]}" >/dev/null
  ( sleep 2; curl -s -o "$OUT/$w.cpu.pprof" "$ADMIN/debug/pprof/profile?seconds=$prof" ) & c1=$!
  ( sleep 2; curl -s -o "$OUT/$w.allocs.pprof" "$ADMIN/debug/pprof/allocs?seconds=$prof" ) & c2=$!
  AWS_ACCESS_KEY_ID=AKIABENCHROOT0000001 AWS_SECRET_ACCESS_KEY=benchRootSecret0123456789abcdefghijklmno \
    "$tmp/gatehouse-bench" run --endpoint "$URL" --workload "$w" --duration "$DUR" "${flags[@]}" --pid "$pid" | tee "$OUT/$w.txt"
  wait "$c1" "$c2"
  {
    echo; echo "CPU, top $TOP by cumulative time:"
    go tool pprof -top -cum -nodecount="$TOP" "$tmp/gatehouse" "$OUT/$w.cpu.pprof" 2>/dev/null | sed -n '/flat%/,$p'
    echo; echo "Allocations, top $TOP by bytes allocated (flat):"
    go tool pprof -top -sample_index=alloc_space -nodecount="$TOP" "$tmp/gatehouse" "$OUT/$w.allocs.pprof" 2>/dev/null | sed -n '/flat%/,$p'
  } >>"$OUT/$w.txt"
done
echo "profiles and tables in $OUT/" >&2
