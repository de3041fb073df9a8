#!/usr/bin/env bash
# Cluster figures for docs/benchmarks.md (issue 14). On one machine, in a
# temp dir, everything on 127.0.0.1:
#   - a throwaway PostgreSQL (run as nobody; fsync=$PG_FSYNC, default on),
#   - MinIO as the S3 upstream (MINIO, default /tmp/minio-bin/minio),
#   - four setups, all started at once and measured in turn:
#       sqlite     1 node, SQLite store, bytes in the data dir
#       pg-fs      1 node, PostgreSQL store, bytes in the data dir
#       pg-s3      1 node, PostgreSQL store, bytes in MinIO
#       pg-s3-x3   3 nodes, one PostgreSQL database, one MinIO prefix
# and measures, in $ROUNDS alternating rounds (every setup once per round):
#   - AssumeRole, 4 KiB GET and 4 KiB PUT with the load tool
#     (cmd/gatehouse-bench, a fresh SigV4 signature per request, $CONNS
#     workers; with 3 nodes the requests go round-robin over the nodes,
#     --spread, as a load balancer would send them),
#   - 256 MiB single-stream PUT and GET and a 1 GiB multipart upload (16 MiB
#     parts, 4 in flight), pg-fs against pg-s3,
# then the cross-node invalidation delay with bench/invalidation (an IAM
# Deny written through node 1, enforced by node 3; node 1 to node 1 as the
# reference). Prints every run and the medians.
#
# "errors" are the tool's failed requests (non-2xx, socket errors); "pg-40001" the
# serialization failures PostgreSQL logged during the run (the node retries
# each such transaction up to 10 times; only the 10th failure is an error).
#
# Before each run it waits (at most $QUIET_WAIT seconds) until the machine
# is quiet: CPU busy below $QUIET_BUSY % over 2 s while the servers idle
# ($QUIET_BUDGET seconds of waiting in all, then it measures anyway);
# the 1-minute load average and that busy share are printed with each run.
# KEEP=1 keeps the temp dir (the nodes', PostgreSQL's and MinIO's logs).
# Needs the PostgreSQL server binaries (apt-get install postgresql); builds
# everything else.
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${DUR:-10s}
ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-16}
INV_N=${INV_N:-200}
PG_FSYNC=${PG_FSYNC:-on}
MINIO=${MINIO:-/tmp/minio-bin/minio}
QUIET_BUSY=${QUIET_BUSY:-15}
QUIET_WAIT=${QUIET_WAIT:-300}     # per run
QUIET_BUDGET=${QUIET_BUDGET:-1200} # in all
BASE=${BASE:-18800} # ports BASE..BASE+20 on 127.0.0.1
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)}

KEY=AKIABENCHROOT0000001
SECRET=benchRootSecret0123456789abcdefghijklmno
ACCOUNT=111122223333
MINIO_USER=gatehouse-bench
MINIO_PASS=gatehouse-bench-secret

tmp=$(mktemp -d /tmp/gatehouse-cluster.XXXXXX)
chmod 755 "$tmp" # PostgreSQL runs as nobody under it
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -n "${KEEP:-}" ]; then echo "kept $tmp (logs: *.log)"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap "exit 1" INT TERM

for p in $(seq "$BASE" $((BASE + 20))); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "port $p is in use (set BASE)" >&2; exit 1; fi
done

echo "building"
go build -o "$tmp/gatehouse" ./cmd/gatehouse
go build -o "$tmp/gatehouse-bench" ./cmd/gatehouse-bench
go build -o "$tmp/invalidation" ./bench/invalidation

# --- PostgreSQL -------------------------------------------------------------
PGPORT=$((BASE + 20))
mkdir -p "$tmp/pg"
chown nobody: "$tmp/pg"
runuser -u nobody -- "$PGBIN/initdb" -D "$tmp/pg/data" -U gatehouse --auth=trust >/dev/null
runuser -u nobody -- "$PGBIN/postgres" -D "$tmp/pg/data" -k "$tmp/pg" -h 127.0.0.1 -p $PGPORT \
  -c fsync="$PG_FSYNC" -c max_connections=200 -c shared_buffers=256MB >"$tmp/pg.log" 2>&1 &
pids+=($!)
for i in $(seq 100); do "$PGBIN/pg_isready" -q -h 127.0.0.1 -p $PGPORT -U gatehouse && break; sleep 0.2; done
for db in pgfs pgs3 pgs3x3; do "$PGBIN/createdb" -h 127.0.0.1 -p $PGPORT -U gatehouse "$db"; done
dsn() { echo "postgres://gatehouse@127.0.0.1:$PGPORT/$1?sslmode=disable"; }

# --- MinIO ------------------------------------------------------------------
MINIO_PORT=$((BASE + 19))
MINIO_ROOT_USER=$MINIO_USER MINIO_ROOT_PASSWORD=$MINIO_PASS \
  "$MINIO" server "$tmp/minio" --address 127.0.0.1:$MINIO_PORT --console-address 127.0.0.1:$((BASE + 18)) --quiet >"$tmp/minio.log" 2>&1 &
pids+=($!)
for i in $(seq 300); do
  AWS_ACCESS_KEY_ID=$MINIO_USER AWS_SECRET_ACCESS_KEY=$MINIO_PASS AWS_DEFAULT_REGION=us-east-1 \
    aws --endpoint-url http://127.0.0.1:$MINIO_PORT s3 mb s3://gatehouse-bytes >/dev/null 2>&1 && break
  sleep 0.2
done
printf '[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n' $MINIO_USER $MINIO_PASS >"$tmp/minio-credentials"
blob() { echo "s3://gatehouse-bytes/$1?endpoint=http://127.0.0.1:$MINIO_PORT&region=us-east-1&path-style=true&credentials-file=$tmp/minio-credentials"; }

# --- Gatehouse nodes --------------------------------------------------------
MASTER_KEY=$(head -c 32 /dev/urandom | base64)
node() { # $1 = port, $2 = data dir, then extra serve flags
  local port=$1 dir=$2
  shift 2
  GATEHOUSE_MASTER_KEY=$MASTER_KEY GATEHOUSE_STS_PRINCIPAL_RATE=0 GATEHOUSE_STS_ACCOUNT_RATE=0 \
    GATEHOUSE_ROOT_ACCESS_KEY_ID=$KEY GATEHOUSE_ROOT_SECRET_ACCESS_KEY=$SECRET \
    "$tmp/gatehouse" serve --listen 127.0.0.1:"$port" --data-dir "$dir" --account-id $ACCOUNT --log-level warn "$@" >"$dir.log" 2>&1 &
  pids+=($!)
  for i in $(seq 300); do curl -s -o /dev/null "http://127.0.0.1:$port/" && return; sleep 0.1; done
  echo "node on $port did not start:" >&2; cat "$dir.log" >&2; exit 1
}

# setup name -> node ports (the first one is where setup ran)
declare -A PORTS=([sqlite]="$((BASE + 1))" [pg-fs]="$((BASE + 2))" [pg-s3]="$((BASE + 3))"
  [pg-s3-x3]="$((BASE + 11)) $((BASE + 12)) $((BASE + 13))")
SETUPS="sqlite pg-fs pg-s3 pg-s3-x3"
node $((BASE + 1)) "$tmp/sqlite"
node $((BASE + 2)) "$tmp/pg-fs" --store "$(dsn pgfs)"
node $((BASE + 3)) "$tmp/pg-s3" --store "$(dsn pgs3)" --blob "$(blob pgs3)"
for i in 1 2 3; do
  node $((BASE + 10 + i)) "$tmp/pg-s3-x3-$i" --store "$(dsn pgs3x3)" --blob "$(blob pgs3x3)"
done

# --- measuring --------------------------------------------------------------
busy() { # CPU busy % over 2 s
  local a b
  read -r -a a < <(head -1 /proc/stat)
  sleep 2
  read -r -a b < <(head -1 /proc/stat)
  local idle=$((b[4] + b[5] - a[4] - a[5])) total=0
  for i in 1 2 3 4 5 6 7 8; do total=$((total + b[i] - a[i])); done
  echo $((100 * (total - idle) / total))
}
waited_total=0
quiet() { # waits for a quiet machine; sets Q to "load=… busy=…%"
  local waited=0 b
  while b=$(busy); [ "$b" -ge "$QUIET_BUSY" ] && [ $waited -lt "$QUIET_WAIT" ] && [ $waited_total -lt "$QUIET_BUDGET" ]; do
    sleep 8
    waited=$((waited + 10))
    waited_total=$((waited_total + 10))
  done
  Q="load=$(cut -d' ' -f1 /proc/loadavg) busy=${b}%"
  if [ "$b" -ge "$QUIET_BUSY" ]; then Q="$Q NOT-QUIET"; fi
}

results=$tmp/results # lines: figure setup value
bench() { # $1 = setup, then gatehouse-bench run flags; prints its JSON line
  local s=$1 ports=(${PORTS[$1]}) spread=()
  shift
  if [ ${#ports[@]} -gt 1 ]; then spread=(--spread "$(printf 'http://127.0.0.1:%s,' "${ports[@]:1}" | sed 's/,$//')"); fi
  AWS_ACCESS_KEY_ID=$KEY AWS_SECRET_ACCESS_KEY=$SECRET "$tmp/gatehouse-bench" run --endpoint "http://127.0.0.1:${ports[0]}" \
    "${spread[@]}" --label "$s" --json "$@" 2>>"$tmp/bench.err" | tee -a "$tmp/results.jsonl"
}
field() { sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p"; }
load() { # $1 = setup, $2 = figure name, $3 = workload
  local s=$1 fig=$2 w=$3 out before
  quiet
  before=$(grep -c 'could not serialize' "$tmp/pg.log" || true)
  out=$(bench "$s" --workload "$w" --duration "$DUR" --concurrency "$CONNS" || true)
  # Transactions PostgreSQL aborted as serialization failures (40001),
  # each retried by the node up to 10 times; it logs every one.
  local conflicts=$(($(grep -c 'could not serialize' "$tmp/pg.log" || true) - before))
  local rate errs p99
  rate=$(echo "$out" | field req_per_s | cut -d. -f1)
  errs=$(echo "$out" | field errors)
  p99=$(echo "$out" | field p99_ms)
  printf '%-10s %-9s %7s/s  p99=%sms errors=%s pg-40001=%s  %s\n' "$fig" "$s" "${rate:-?}" "$p99" "${errs:-?}" "$conflicts" "$Q"
  echo "$fig $s ${rate:-0}" >>"$results"
}

large() { # $1 = setup (one node)
  local s=$1 out
  quiet
  echo "large     $s  $Q"
  for spec in "put256M s3-put-large --size 256MiB" "get256M s3-get-large --size 256MiB" \
    "mpu1G s3-multipart --size 1GiB --part-size 16MiB --parts-in-flight 4"; do
    set -- $spec
    local fig=$1 w=$2
    shift 2
    out=$(bench "$s" --workload "$w" --duration "$DUR" --concurrency 1 "$@" || true)
    printf '%-10s %-9s %7s MiB/s  errors=%s\n' "$fig" "$s" "$(echo "$out" | field mib_per_s)" "$(echo "$out" | field errors)"
    echo "$fig $s $(echo "$out" | field mib_per_s | cut -d. -f1)" >>"$results"
  done
}

echo "PostgreSQL fsync=$PG_FSYNC; $ROUNDS rounds of $DUR per load, $CONNS connections"
for r in $(seq "$ROUNDS"); do
  echo "--- round $r"
  for s in $SETUPS; do
    load "$s" assumerole sts-assume-role
    load "$s" get4k s3-get-small
    load "$s" put4k s3-put-small
  done
  # Large objects in the first round only: with a shared store the bytes a
  # delete frees wait an hour before the sweeper removes them (no node may
  # still be streaming them), so every round would add ~1.3 GiB per run.
  if [ "$r" = 1 ]; then
    for s in pg-fs pg-s3; do large "$s"; done
  fi
done

echo "--- invalidation delay (IAM change through node 1)"
x3=(${PORTS[pg-s3-x3]})
quiet
echo "node 1 -> node 3: $Q"
"$tmp/invalidation" --write "http://127.0.0.1:${x3[0]}" --read "http://127.0.0.1:${x3[2]}" --key $KEY --secret $SECRET --n "$INV_N" --name inv-cross
quiet
echo "node 1 -> node 1 (reference): $Q"
"$tmp/invalidation" --write "http://127.0.0.1:${x3[0]}" --read "http://127.0.0.1:${x3[0]}" --key $KEY --secret $SECRET --n "$INV_N" --name inv-same

echo "--- medians over $ROUNDS rounds (requests/s; MiB/s for 256M and 1G)"
sort -k1,1 -k2,2 "$results" | awk '
  function flush() { if (n) { m = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2; printf "%-10s %-9s median %8.0f  (%s)\n", f, s, m, all } }
  { if ($1 != f || $2 != s) { flush(); f = $1; s = $2; n = 0; all = "" }
    v[++n] = $3; all = all (all ? " " : "") $3
    for (i = n; i > 1 && v[i] < v[i - 1]; i--) { t = v[i]; v[i] = v[i - 1]; v[i - 1] = t } }
  END { flush() }'
