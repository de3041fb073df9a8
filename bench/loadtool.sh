# Sourced by bench/paired.sh and bench/cpu-per-call.sh (from the repository
# root): a temp dir that goes on exit with every server recorded in pids,
# the load tool built into it as $B, and the bench root credentials that
# the servers are started with and the tool signs with.
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
go build -o "$tmp/gatehouse-bench" ./cmd/gatehouse-bench
B=$tmp/gatehouse-bench
export AWS_ACCESS_KEY_ID=AKIABENCHROOT0000001 AWS_SECRET_ACCESS_KEY=benchRootSecret0123456789abcdefghijklmno
