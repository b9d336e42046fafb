#!/usr/bin/env bash
# Runner for the peer harness: `peer.sh index CORPUS IDX` indexes the .txt files
# (parsing and normalization included) from scratch; `peer.sh query IDX` prints
# in-process latencies (Qn<TAB>median_ms<TAB>p95_ms<TAB>note, COUNT lines).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
case "$1" in
  index) rm -rf "$3"; exec "$root/target/release/cpsearch" index "$2/files" --index "$3" --quiet ;;
  query) exec "$root/target/release/examples/query_latency" "$2" ;;
  *) echo "usage: peer.sh index CORPUS IDX | peer.sh query IDX" >&2; exit 2 ;;
esac
