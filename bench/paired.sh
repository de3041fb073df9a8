#!/usr/bin/env bash
# Paired short runs, for ratios whose margin is smaller than the machine's
# run-to-run noise (AssumeRole: one 5 s run of one server moves by ±8 %,
# and the ceiling's independently). The ceiling, every Gatehouse build named
# and, with MINIO set, MinIO run side by side for the whole measurement,
# and cmd/gatehouse-bench loads one at a time for a short slice, round after
# round: round r starts at target r/2 (each pair of rounds one target
# further on) and odd rounds run in reverse (with two targets: ABBA), so
# that a spell of a slower machine falls on every target alike and no
# target keeps one place in the order. Every target takes every place
# equally often when ROUNDS is a multiple of twice the number of targets.
# Prints the JSON lines (to OUT, if set) and `gatehouse-bench report` over
# them: per target the median, and each round's ratios to the ceiling and
# to MinIO with their medians.
#
#   bench/paired.sh LABEL=BINARY[:ENV=V,...] ...
#   e.g. ROUNDS=30 SLICE=2s ROLES=100000 bench/paired.sh main=/tmp/gatehouse gc200=/tmp/gatehouse:GOGC=200
#
#   e.g. MINIO=/tmp/minio-bin/minio WORKLOAD=s3-get-large CONC=1 FLAGS="--size 256MiB --cache cold" \
#        SLICE=6s ROUNDS=24 bench/paired.sh gatehouse=/tmp/gatehouse
#
# Env: ROUNDS (20), SLICE (2s), WARM (1s: one unmeasured slice of every
# target first), WORKLOAD (sts-assume-role), CONC (16),
# FLAGS (more flags of every `gatehouse-bench run`: sizes, --cache cold),
# MINIO (a MinIO binary: MinIO runs as one more target, labelled minio,
# its S3 requests signed with credentials from its AssumeRole),
# ROLES (0: extra roles in other accounts, created through the data dir as
# bench/sts-load.sh does), PORT (8796: the ceiling; builds on PORT+1 …,
# MinIO after them),
# OUT (the file for the JSON lines; default a new /tmp/paired.*.jsonl,
# kept). Labels must differ and not be "ceiling" or "minio" (the report's
# baselines). Everything listens on 127.0.0.1.
set -euo pipefail
args=()
declare -A seen=([ceiling]=1 [minio]=1)
for v in "$@"; do # check the arguments and make paths absolute before the cd
  label=${v%%=*}; rest=${v#*=}; bin=${rest%%:*}
  [[ $v == *=* && -n $label && -z ${seen[$label]:-} ]] || { echo "$v: LABEL=BINARY with a label of its own (not ceiling or minio)" >&2; exit 2; }
  seen[$label]=1
  [ -x "$bin" ] || { echo "$bin: not an executable" >&2; exit 2; }
  if [[ $rest == *:* ]]; then
    IFS=, read -r -a envs <<<"${rest#*:}"
    for e in "${envs[@]}"; do [[ $e == [A-Za-z_]*=* ]] || { echo "$v: $e is not ENV=VALUE" >&2; exit 2; }; done
  fi
  args+=("$label=$(realpath "$bin")${rest:${#bin}}")
done
set -- "${args[@]+"${args[@]}"}"
out=${OUT:-$(mktemp /tmp/paired.XXXXXX.jsonl)}
out=$(realpath "$out")
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-20}
SLICE=${SLICE:-2s}
WARM=${WARM:-1s}
WORKLOAD=${WORKLOAD:-sts-assume-role}
CONC=${CONC:-16}
ROLES=${ROLES:-0}
PORT=${PORT:-8796}
[ $# -gt 0 ] || { echo "usage: $0 LABEL=BINARY[:ENV=V,...] ..." >&2; exit 2; }
. bench/loadtool.sh
free() { # port: fails when something listens there already
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null || { echo "127.0.0.1:$1 is taken (set PORT)" >&2; exit 1; }
}
up() { # port pid [path: answers 2xx once ready]
  for _ in $(seq 100); do
    kill -0 "$2" 2>/dev/null || { echo "server on 127.0.0.1:$1 exited (port taken? set PORT)" >&2; exit 1; }
    if [ -n "${3:-}" ]; then
      curl -sf -o /dev/null "http://127.0.0.1:$1$3" && return
    else
      curl -s -o /dev/null "http://127.0.0.1:$1/" && return
    fi
    sleep 0.1
  done
  echo "server on 127.0.0.1:$1 did not answer" >&2; exit 1
}
read -r -a flags <<<"${FLAGS:-}"
labels=(ceiling) ports=($PORT) setups=("--setup none --creds static") pidof=()
mkdir -p "$tmp/ceiling"
free $PORT
"$B" ceiling --listen 127.0.0.1:$PORT --dir "$tmp/ceiling" 2>/dev/null &
pids+=($!) pidof+=($!)
up $PORT $!
n=0
for v in "$@"; do
  n=$((n + 1)); port=$((PORT + n)); dir=$tmp/data-$n
  rest=${v#*=}; bin=${rest%%:*}; envs=()
  [[ $rest == *:* ]] && IFS=, read -r -a envs <<<"${rest#*:}"
  free $port
  env "${envs[@]}" GATEHOUSE_STS_PRINCIPAL_RATE=0 GATEHOUSE_STS_ACCOUNT_RATE=0 \
    GATEHOUSE_ROOT_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID GATEHOUSE_ROOT_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY \
    "$bin" serve --listen 127.0.0.1:$port --data-dir "$dir" --account-id 111122223333 --log-level warn >"$tmp/server-$n.log" 2>&1 &
  pids+=($!) pidof+=($!)
  up $port $!
  "$B" setup --endpoint http://127.0.0.1:$port --setup gatehouse --roles "$ROLES" --data-dir "$dir" >/dev/null
  labels+=("${v%%=*}") ports+=($port) setups+=("--setup gatehouse")
done
# MinIO's keys, by index (the others sign with the bench root keys).
declare -A keys=()
if [ -n "${MINIO:-}" ]; then
  [ -x "$MINIO" ] || { echo "MINIO=$MINIO: not an executable" >&2; exit 2; }
  port=$((PORT + n + 1))
  free $port
  MINIO_ROOT_USER=benchminioroot MINIO_ROOT_PASSWORD=benchMinioSecret0123456789 \
    "$MINIO" server --quiet --address 127.0.0.1:$port "$tmp/minio-data" >"$tmp/minio.log" 2>&1 &
  pids+=($!) pidof+=($!)
  up $port $! /minio/health/ready
  keys[${#labels[@]}]="benchminioroot benchMinioSecret0123456789"
  labels+=(minio) ports+=($port) setups+=("--setup none --creds assume-role")
fi
slice() { # index duration [--json]
  local id=$AWS_ACCESS_KEY_ID secret=$AWS_SECRET_ACCESS_KEY
  [ -z "${keys[$1]:-}" ] || read -r id secret <<<"${keys[$1]}"
  # shellcheck disable=SC2086 # setups holds two flags
  AWS_ACCESS_KEY_ID=$id AWS_SECRET_ACCESS_KEY=$secret "$B" run --endpoint "http://127.0.0.1:${ports[$1]}" ${setups[$1]} \
    --workload "$WORKLOAD" --concurrency "$CONC" --duration "$2" "${flags[@]}" --pid "${pidof[$1]}" --label "${labels[$1]}" "${@:3}"
}
for i in "${!labels[@]}"; do slice "$i" "$WARM" >/dev/null; done # warm every target once
: >"$out"
k=${#labels[@]}
for r in $(seq 0 $((ROUNDS - 1))); do
  # Round r starts at target r/2 mod k; odd rounds run backwards.
  order=()
  for j in $(seq 0 $((k - 1))); do order+=($(((r / 2 + j) % k))); done
  if [ $((r % 2)) -eq 1 ]; then order=($(printf '%s\n' "${order[@]}" | tac)); fi
  for i in "${order[@]}"; do slice "$i" "$SLICE" --json >>"$out"; done
done
echo "JSON lines: $out"
"$B" report "$out"
