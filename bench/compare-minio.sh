#!/usr/bin/env bash
# Gatehouse against the ceiling (gatehouse-bench ceiling: a minimal
# net/http S3/STS server with no auth, policy or metadata work) and MinIO,
# with the same load tool (cmd/gatehouse-bench) and the same workloads,
# interleaved (each repetition runs every workload on every target in
# turn), then a table of medians with ratios to the ceiling and to MinIO.
# The order of the targets rotates: each pair of repetitions starts one
# target further on and the second of a pair runs backwards (three targets
# take every place equally often over six repetitions, two targets over
# four: use such a REPS), so no target keeps one place in the order.
# Everything listens on 127.0.0.1 only; data lives in a temp dir.
#
# Env: MINIO=/path/to/minio (skipped when unset or missing), REPS (3),
# DUR per run (5s), CONC (16), SMALL (4KiB), LARGE (64MiB), MPU (256MiB),
# PART (16MiB), KEYS (10000), WORKLOADS (space-separated; "s3-get-large-cold"
# is s3-get-large --cache cold, which needs root), OUT (a dir to keep the
# JSON lines in), PORT (8790: the ceiling, Gatehouse and MinIO listen on
# PORT, PORT+1, PORT+2). Gatehouse runs its embedded default (SQLite + local
# disk) with the STS quotas off. MinIO's S3 requests are signed with
# temporary credentials from its STS AssumeRole (MINIO_CREDS=static for its
# root keys); MinIO has no IAM GetRole, GetCallerIdentity or web identity
# as Gatehouse has them: those rows show "unsupported".
# At the defaults: 12 workloads x 3 targets x 3 reps x 5 s, about 12 min.
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=${REPS:-3}
DUR=${DUR:-5s}
CONC=${CONC:-16}
SMALL=${SMALL:-4KiB}
LARGE=${LARGE:-64MiB}
MPU=${MPU:-256MiB}
PART=${PART:-16MiB}
KEYS=${KEYS:-10000}
MINIO=${MINIO:-}
MINIO_CREDS=${MINIO_CREDS:-assume-role}
PORT=${PORT:-8790}
WORKLOADS=${WORKLOADS:-"sts-assume-role sts-get-caller-identity sts-assume-role-with-web-identity iam-get-role s3-put-small s3-get-small s3-list mixed s3-put-large s3-get-large s3-get-large-cold s3-multipart"}
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
go build -o "$tmp/gatehouse" ./cmd/gatehouse
go build -o "$tmp/gatehouse-bench" ./cmd/gatehouse-bench
B=$tmp/gatehouse-bench
out=${OUT:-$tmp}
mkdir -p "$out"
results=$out/results.jsonl
: >"$results"

wait_up() { # $1 = URL, $2 = pid
  for _ in $(seq 100); do
    kill -0 "$2" 2>/dev/null || { echo "the server for $1 exited (port taken? set PORT)" >&2; exit 1; }
    curl -s -o /dev/null "$1" && return; sleep 0.1
  done
  echo "no answer from $1" >&2; exit 1
}

declare -A URL PID KEY SECRET ARGS
targets=()

mkdir -p "$tmp/ceiling"
"$B" ceiling --listen 127.0.0.1:$PORT --dir "$tmp/ceiling" 2>/dev/null &
pids+=($!); PID[ceiling]=$!; URL[ceiling]=http://127.0.0.1:$PORT
KEY[ceiling]=AKIACEILING000000001; SECRET[ceiling]=anything; ARGS[ceiling]="--setup none --creds static"
targets+=(ceiling)

GATEHOUSE_STS_PRINCIPAL_RATE=0 GATEHOUSE_STS_ACCOUNT_RATE=0 \
  GATEHOUSE_ROOT_ACCESS_KEY_ID=AKIABENCHROOT0000001 GATEHOUSE_ROOT_SECRET_ACCESS_KEY=benchRootSecret0123456789abcdefghijklmno \
  "$tmp/gatehouse" serve --listen 127.0.0.1:$((PORT + 1)) --data-dir "$tmp/gatehouse-data" --account-id 111122223333 --log-level warn >/dev/null 2>&1 &
pids+=($!); PID[gatehouse]=$!; URL[gatehouse]=http://127.0.0.1:$((PORT + 1))
KEY[gatehouse]=AKIABENCHROOT0000001; SECRET[gatehouse]=benchRootSecret0123456789abcdefghijklmno; ARGS[gatehouse]="--setup gatehouse"
targets+=(gatehouse)

if [ -n "$MINIO" ] && [ -x "$MINIO" ]; then
  MINIO_ROOT_USER=benchminioroot MINIO_ROOT_PASSWORD=benchMinioSecret0123456789 \
    "$MINIO" server --quiet --address 127.0.0.1:$((PORT + 2)) "$tmp/minio-data" >/dev/null 2>&1 &
  pids+=($!); PID[minio]=$!; URL[minio]=http://127.0.0.1:$((PORT + 2))
  KEY[minio]=benchminioroot; SECRET[minio]=benchMinioSecret0123456789; ARGS[minio]="--setup none --creds $MINIO_CREDS"
  targets+=(minio)
else
  echo "MINIO not set to a binary: comparing Gatehouse with the ceiling only" >&2
fi
wait_up "${URL[ceiling]}/" "${PID[ceiling]}"
wait_up "${URL[gatehouse]}/" "${PID[gatehouse]}"
[ -z "${URL[minio]:-}" ] || wait_up "${URL[minio]}/minio/health/live" "${PID[minio]}"

for rep in $(seq "$REPS"); do
  for w in $WORKLOADS; do
    flags=(--concurrency "$CONC" --size "$SMALL")
    name=$w
    case $w in
      s3-put-large|s3-get-large) flags=(--concurrency 1 --size "$LARGE") ;;
      s3-get-large-cold) name=s3-get-large; flags=(--concurrency 1 --size "$LARGE" --cache cold) ;;
      s3-multipart) flags=(--concurrency 1 --size "$MPU" --part-size "$PART") ;;
      s3-list) flags=(--concurrency "$CONC" --keys "$KEYS") ;;
    esac
    k=${#targets[@]} order=()
    for j in $(seq 0 $((k - 1))); do
      idx=$(( ((rep - 1) / 2 + j) % k ))
      order+=("${targets[$idx]}")
    done
    if [ $((rep % 2)) -eq 0 ]; then order=($(printf '%s\n' "${order[@]}" | tac)); fi
    for t in "${order[@]}"; do
      # shellcheck disable=SC2086 # ARGS holds several flags
      rc=0
      AWS_ACCESS_KEY_ID=${KEY[$t]} AWS_SECRET_ACCESS_KEY=${SECRET[$t]} "$B" run --endpoint "${URL[$t]}" --workload "$name" \
        --duration "$DUR" "${flags[@]}" ${ARGS[$t]} --pid "${PID[$t]}" --label "$t" --json >>"$results" 2>"$tmp/err" || rc=$?
      if [ "$rc" = 2 ]; then
        echo "rep $rep: $w on $t: ran with errors (counted in the table)" >&2
      elif [ "$rc" != 0 ] && grep -q "unsupported by endpoint" "$tmp/err"; then
        [ "$rep" != 1 ] || echo "$w on $t: unsupported by endpoint" >&2
      elif [ "$rc" != 0 ]; then
        echo "rep $rep: $w on $t: $(tail -1 "$tmp/err")" >&2
      fi
    done
  done
  echo "repetition $rep of $REPS done" >&2
done
echo
echo "Medians of $REPS run(s) of $DUR each (concurrency $CONC; small $SMALL, large $LARGE, multipart $MPU in $PART parts, list over $KEYS keys)."
echo "Ratios compare MiB/s for large-object and multipart rows, req/s otherwise."
"$B" report "$results"
