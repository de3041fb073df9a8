#!/usr/bin/env bash
# Before/after figures in one run: builds the server at BASE (a git
# revision, default the commit before the pipeline work) and at the working
# tree, then runs the hot-path loads against each, alternating
# A, B, A, B so drift on the machine hits both alike, with the load tool
# (cmd/gatehouse-bench, built from the working tree; 16 workers, every
# request signed afresh): AssumeRole and GetCallerIdentity (the tool's
# user and role, created through IAM) and 4 KiB GET and PUT with the role's
# temporary credentials and a bucket policy in force (workloads
# sts-assume-role, sts-get-caller-identity, s3-get-small, s3-put-small).
# The tool's setup (--setup gatehouse) goes through the API only, and works
# against the default BASE. Everything listens on 127.0.0.1 only. The STS
# quotas are off (GATEHOUSE_STS_*_RATE=0, which older binaries ignore): the
# loads measure the server, not its rate limits. A load with any failed
# request stops the script.
# Env: BASE (165b093), DUR (10s), ROUNDS (2), CONC (16), PORT (8796).
set -euo pipefail
cd "$(dirname "$0")/.."
BASE=${BASE:-165b093}
DUR=${DUR:-10s}
ROUNDS=${ROUNDS:-2}
CONC=${CONC:-16}
PORT=${PORT:-8796}
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; git worktree remove --force "$tmp/base-src" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
git worktree add -q --detach "$tmp/base-src" "$BASE"
(cd "$tmp/base-src" && go build -o "$tmp/before" ./cmd/gatehouse)
go build -o "$tmp/after" ./cmd/gatehouse
go build -o "$tmp/gatehouse-bench" ./cmd/gatehouse-bench
export AWS_ACCESS_KEY_ID=AKIABENCHROOT0000001 AWS_SECRET_ACCESS_KEY=benchRootSecret0123456789abcdefghijklmno
URL=http://127.0.0.1:$PORT

start() { # $1 = binary label; sets pid and data
  data=$tmp/data-$1-$RANDOM
  GATEHOUSE_STS_PRINCIPAL_RATE=0 GATEHOUSE_STS_ACCOUNT_RATE=0 \
  GATEHOUSE_ROOT_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID GATEHOUSE_ROOT_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY \
    "$tmp/$1" serve --listen 127.0.0.1:$PORT --data-dir "$data" --account-id 111122223333 --log-level warn >/dev/null 2>&1 &
  pid=$!
  for i in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || { echo "server ($1) exited (is 127.0.0.1:$PORT taken? set PORT)" >&2; exit 1; }
    curl -s -o /dev/null $URL/ && return; sleep 0.1
  done
  echo "server did not start" >&2; exit 1
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; rm -rf "$data"; }

load() { # $1 = binary label, $2 = load name, $3 = workload
  local out
  # Exit status 2: the run had failed requests; 1: it could not start.
  if ! out=$("$tmp/gatehouse-bench" run --endpoint $URL --setup gatehouse --workload "$3" --concurrency "$CONC" --duration "$DUR"); then
    echo "$out" >&2; echo "$2 ($1): the run failed or had failed requests; the figures are not valid" >&2; stop; exit 1
  fi
  printf '%-7s %-18s %s\n' "$1" "$2" "$out"
}

run() { # $1 = binary label
  start "$1"
  load "$1" AssumeRole sts-assume-role
  load "$1" GetCallerIdentity sts-get-caller-identity
  stop
  start "$1"
  load "$1" GET s3-get-small
  load "$1" PUT s3-put-small
  stop
}
for r in $(seq "$ROUNDS"); do
  run before
  run after
done | tee "$tmp/results"
# Medians per binary and load, and after/before.
echo
python3 - "$tmp/results" <<'PY'
import re, statistics, sys
v = {}
for line in open(sys.argv[1]):
    m = re.match(r"(\S+)\s+(\S+)\s.*?: [0-9]+ req in .*?: ([0-9.]+) req/s", line)
    if m:
        v.setdefault((m.group(1), m.group(2)), []).append(float(m.group(3)))
for load in ("AssumeRole", "GetCallerIdentity", "GET", "PUT"):
    b, a = statistics.median(v[("before", load)]), statistics.median(v[("after", load)])
    print(f"{load:18} before {b:9.0f}/s  after {a:9.0f}/s  after/before {a / b:.2f}")
PY
