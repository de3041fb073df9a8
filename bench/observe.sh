#!/usr/bin/env bash
# The cost of the access log and the metrics, in one run of one binary:
# "off" serves with --access-log=false and no admin listener (so no
# metrics are collected); "on" serves with the access log written to a
# file at --log-level info and --admin-listen (metrics on, scraped once a
# second as Prometheus would). Alternates off, on, off, on so drift on the
# machine hits both alike (each load back to back in both modes, the order
# swapped every round), with the load tool (cmd/gatehouse-bench, 16
# workers, every request signed afresh): AssumeRole (the tool's user and
# role) and 4 KiB GET and PUT with the role's temporary credentials and a
# bucket policy in force (workloads sts-assume-role, s3-get-small,
# s3-put-small). Besides the rate it prints the server's CPU time per
# request (user + system from /proc/PID/stat across the run, over the
# requests the tool counted; the GET objects are prefilled by a short run
# before, outside it). Everything listens on 127.0.0.1 only. The STS
# quotas are off (GATEHOUSE_STS_*_RATE=0), and a load with any failed
# request stops the script.
#
# WITH_AUDIT=1 measures everything at once: "off" also turns the audit
# trail off (--audit=false) and "on" keeps it at its default (JSON-lines
# files in the data directory, data events included), so on/off is the
# cost of the audit trail, the access log and the metrics together.
# Env: DUR (10s), ROUNDS (3), WITH_AUDIT (0), CONC (16), PORT (18795; the
# admin listener on PORT+1).
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${DUR:-10s}
CONC=${CONC:-16}
ROUNDS=${ROUNDS:-3}
WITH_AUDIT=${WITH_AUDIT:-0}
tmp=$(mktemp -d)
pid= scraper=
trap 'kill $pid $scraper $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT
go build -o "$tmp/gatehouse" ./cmd/gatehouse
go build -o "$tmp/gatehouse-bench" ./cmd/gatehouse-bench
export AWS_ACCESS_KEY_ID=AKIABENCHROOT0000001 AWS_SECRET_ACCESS_KEY=benchRootSecret0123456789abcdefghijklmno
PORT=${PORT:-18795}
URL=http://127.0.0.1:$PORT
ADMIN=127.0.0.1:$((PORT + 1))

start() { # $1 = off | on; sets pid, data and log
  if curl -s -o /dev/null $URL/ || curl -s -o /dev/null http://$ADMIN/; then
    echo "something already listens on $URL or $ADMIN (set PORT)" >&2; exit 1
  fi
  data=$tmp/data-$1-$RANDOM
  log=$tmp/log-$1
  local extra=(--access-log=false)
  if [ "$WITH_AUDIT" = 1 ]; then extra+=(--audit=false); fi
  if [ "$1" = on ]; then extra=(--access-log=true --admin-listen $ADMIN); fi
  GATEHOUSE_STS_PRINCIPAL_RATE=0 GATEHOUSE_STS_ACCOUNT_RATE=0 \
  GATEHOUSE_ROOT_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID GATEHOUSE_ROOT_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY \
    "$tmp/gatehouse" serve --listen 127.0.0.1:$PORT --data-dir "$data" --account-id 111122223333 --log-level info \
    "${extra[@]}" >/dev/null 2>"$log" &
  pid=$!
  for i in $(seq 300); do curl -s -o /dev/null $URL/ && break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null || { echo "server ($1) did not start:" >&2; cat "$log" >&2; exit 1; }
  scraper=
  if [ "$1" = on ]; then
    (while curl -s -o /dev/null http://$ADMIN/metrics; do sleep 1; done) &
    scraper=$!
  fi
}
stop() {
  if [ -n "$scraper" ]; then kill "$scraper" 2>/dev/null || true; wait "$scraper" 2>/dev/null || true; fi
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "        ($(grep -c 'msg=request' "$log" || true) access-log lines, $(cat "$data"/audit/*.jsonl 2>/dev/null | wc -l) audit events)" >&2
  rm -rf "$data" "$log"
}

cpu() { # the server's user + system CPU time so far, in clock ticks
  awk '{print $14 + $15}' "/proc/$pid/stat"
}

bench() { "$tmp/gatehouse-bench" run --endpoint $URL --setup gatehouse --concurrency "$CONC" "$@"; }

load() { # $1 = mode, $2 = label, $3 = workload
  local before after out n
  before=$(cpu)
  # Exit status 2: the run had failed requests; 1: it could not start.
  if ! out=$(bench --workload "$3" --duration "$DUR" --json); then
    # A figure over failed requests (a throttled AssumeRole, say) measures
    # the wrong thing: stop.
    echo "$out" >&2; echo "$2 ($1): the run failed or had failed requests; the figures are not valid" >&2; stop; exit 1
  fi
  after=$(cpu)
  n=$(jq -r .requests <<<"$out")
  # Throughput, and the server's CPU time per request (less sensitive to
  # other work on the machine than the rate).
  printf '%-4s %-11s Requests/sec: %s cpu_us_per_request=%s requests=%s errors=%s p50=%sms p99=%sms\n' "$1" "$2" \
    "$(jq -r .req_per_s <<<"$out")" \
    "$(awk -v t=$((after - before)) -v n="$n" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }')" \
    "$n" "$(jq -r .errors <<<"$out")" "$(jq -r .p50_ms <<<"$out")" "$(jq -r .p99_ms <<<"$out")"
}

sts() { # $1 = off | on
  start "$1"
  load "$1" AssumeRole sts-assume-role
  stop
}
s3() { # $1 = off | on
  start "$1"
  # The GET objects' PUTs (the tool's prefill) go outside the measured run.
  bench --workload s3-get-small --duration 1ms >/dev/null
  load "$1" "GET 4 KiB" s3-get-small
  load "$1" "PUT 4 KiB" s3-put-small
  stop
}
# Each load runs off and on back to back; odd rounds start with off, even
# rounds with on, so neither mode always runs first.
for r in $(seq "$ROUNDS"); do
  if [ $((r % 2)) = 1 ]; then a=off b=on; else a=on b=off; fi
  sts $a; sts $b
  s3 $a; s3 $b
done | tee "$tmp/results"
echo
python3 - "$tmp/results" <<'PY'
import statistics, sys
rate, cpu = {}, {}
for line in open(sys.argv[1]):
    if "Requests/sec" not in line:
        continue
    f = line.split()
    key = (f[0], f[1])
    rate.setdefault(key, []).append(float(f[f.index("Requests/sec:") + 1]))
    cpu.setdefault(key, []).append(float(next(x for x in f if x.startswith("cpu_us_per_request=")).split("=")[1]))
for load in ("AssumeRole", "GET", "PUT"):
    off, on = rate[("off", load)], rate[("on", load)]
    a, b = statistics.median(off), statistics.median(on)
    print(f"{load:11} rate off {a:8.0f}/s ({min(off):.0f}-{max(off):.0f})  on {b:8.0f}/s ({min(on):.0f}-{max(on):.0f})  on/off {b / a:.3f}")
    off, on = cpu[("off", load)], cpu[("on", load)]
    a, b = statistics.median(off), statistics.median(on)
    print(f"{'':11} CPU  off {a:8.1f} us/req ({min(off):.1f}-{max(off):.1f})  on {b:8.1f} us/req ({min(on):.1f}-{max(on):.1f})  on/off {b / a:.3f}")
    # Runs of the same round are back to back: their ratios cancel most of
    # the drift between rounds.
    pr = [n / f for f, n in zip(rate[("off", load)], rate[("on", load)])]
    pc = [n / f for f, n in zip(off, on)]
    print(f"{'':11} paired on/off: rate median {statistics.median(pr):.3f} ({min(pr):.2f}-{max(pr):.2f}), CPU median {statistics.median(pc):.3f} ({min(pc):.2f}-{max(pc):.2f})")
PY
