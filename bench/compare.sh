#!/usr/bin/env bash
# Before/after figures in one run: builds the server at BASE (a git
# revision, default the commit before the pipeline work) and at the working
# tree, then runs the hot-path loads against each, alternating
# A, B, A, B so drift on the machine hits both alike: AssumeRole and
# GetCallerIdentity (bench/setup, 1 role) and 4 KiB GET and PUT with
# temporary credentials and a bucket policy in force (bench/s3setup).
# Needs wrk. Everything listens on 127.0.0.1 only. The STS quotas are off
# (GATEHOUSE_STS_*_RATE=0, which older binaries ignore): the loads measure
# the server, not its rate limits.
set -euo pipefail
cd "$(dirname "$0")/.."
BASE=${BASE:-165b093}
DUR=${DUR:-10s}
ROUNDS=${ROUNDS:-2}
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; git worktree remove --force "$tmp/base-src" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
git worktree add -q --detach "$tmp/base-src" "$BASE"
(cd "$tmp/base-src" && go build -o "$tmp/before" ./cmd/gatehouse)
go build -o "$tmp/after" ./cmd/gatehouse
go build -o "$tmp/setup" ./bench/setup
go build -o "$tmp/s3setup" ./bench/s3setup
KEY=AKIABENCHROOT0000001
SECRET=benchRootSecret0123456789abcdefghijklmno
URL=http://127.0.0.1:8796

start() { # $1 = binary label; sets pid and data
  data=$tmp/data-$1-$RANDOM
  GATEHOUSE_STS_PRINCIPAL_RATE=0 GATEHOUSE_STS_ACCOUNT_RATE=0 GATEHOUSE_ROOT_ACCESS_KEY_ID=$KEY GATEHOUSE_ROOT_SECRET_ACCESS_KEY=$SECRET \
    "$tmp/$1" serve --listen 127.0.0.1:8796 --data-dir "$data" --account-id 111122223333 --log-level warn >/dev/null 2>&1 &
  pid=$!
  for i in $(seq 100); do curl -s -o /dev/null $URL/ && return; sleep 0.1; done
  echo "server did not start" >&2; exit 1
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; rm -rf "$data"; }

run() { # $1 = binary label
  start "$1"
  "$tmp/setup" --url $URL --key $KEY --secret $SECRET --account 111122223333 --roles 0 --data-dir "$data" --out "$tmp" >/dev/null
  printf '%-7s AssumeRole        ' "$1"; wrk -t2 -c16 -d"$DUR" -s "$tmp/assumerole.lua" $URL/ | grep -E 'Requests/sec|Non-2xx|errors'
  printf '%-7s GetCallerIdentity ' "$1"; wrk -t2 -c16 -d"$DUR" -s "$tmp/getcalleridentity.lua" $URL/ | grep -E 'Requests/sec|Non-2xx|errors'
  stop
  start "$1"
  "$tmp/s3setup" --url $URL --key $KEY --secret $SECRET --account 111122223333 --out "$tmp" >/dev/null
  printf '%-7s GET 4 KiB         ' "$1"; wrk -t2 -c16 -d"$DUR" -s "$tmp/s3get.lua" $URL/ | grep -E 'Requests/sec|Non-2xx|errors'
  printf '%-7s PUT 4 KiB         ' "$1"; wrk -t2 -c16 -d"$DUR" -s "$tmp/s3put.lua" $URL/ | grep -E 'Requests/sec|Non-2xx|errors'
  stop
}
for r in $(seq "$ROUNDS"); do
  run before
  run after
done | tee "$tmp/results"
# Medians per binary and load, and after/before.
echo
python3 - "$tmp/results" <<'PY'
import statistics, sys
v = {}
for line in open(sys.argv[1]):
    if "Requests/sec" not in line:
        continue
    f = line.split()
    v.setdefault((f[0], f[1]), []).append(float(f[-1]))
for load in ("AssumeRole", "GetCallerIdentity", "GET", "PUT"):
    b, a = statistics.median(v[("before", load)]), statistics.median(v[("after", load)])
    print(f"{load:18} before {b:9.0f}/s  after {a:9.0f}/s  after/before {a / b:.2f}")
PY
