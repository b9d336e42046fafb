#!/usr/bin/env bash
# Runner for the peer harness: `peer.sh index CORPUS IDX` indexes the .txt files
# (parsing and normalization included) from scratch (`index-merged`: then merges
# the index into one segment); `peer.sh query IDX` prints
# in-process latencies (Qn<TAB>median_ms<TAB>p95_ms<TAB>note, COUNT lines), then
# whole-process facet searches timed the way the harness times tantivy-cli's
# `search --agg` (Q7proc: 3 untimed + 10 timed runs, p95 = max). The features
# beyond plain search are timed too, as extra rows, so a regression in them
# shows in every run: Q1-collapse … Q8-collapse (the same questions grouped
# into stories, as the CLI does by default) and Qtl-… (timelines and
# co-mention counts; median of 20 runs, given as both columns).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/target/release/cpsearch"
case "$1" in
  index) rm -rf "$3"; exec "$bin" index "$2/files" --index "$3" --quiet ;;
  index-merged) rm -rf "$3"; exec "$bin" index "$2/files" --index "$3" --quiet --merge ;;
  query)
    # The measuring programs are examples: built here, so a fresh clone works.
    (cd "$root" && cargo build --release --quiet --example query_latency --example timeline_cost)
    "$root/target/release/examples/query_latency" "$2"
    "$root/target/release/examples/query_latency" "$2" --collapse |
      awk -F'\t' -v OFS='\t' '$1 ~ /^Q[0-9]$/ { $1 = $1 "-collapse"; $4 = $4 " (collapsed into stories)"; print }'
    "$root/target/release/examples/timeline_cost" "$2" |
      awk -F'\t' -v OFS='\t' '{ print "Qtl-" NR, $3, $3, "in process: " $2 " for " $1 " (" $4 " matches)" }'
    python3 - "$bin" "$2" <<'PY'
import subprocess, sys, time
exe, idx = sys.argv[1], sys.argv[2]
for name, facets, note in [
    ("Q7proc", ["--facet", "agency"], "whole process `cpsearch search sanctions --json --facet agency`"),
    ("Q7proc-all", ["--facets"], "whole process `cpsearch search sanctions --json --facets` (agency, topic, country, year)"),
]:
    ts = []
    for i in range(13):
        t0 = time.perf_counter()
        subprocess.run([exe, "search", "sanctions", "--index", idx, "--json", *facets],
                       stdout=subprocess.DEVNULL, check=True)
        if i >= 3:
            ts.append((time.perf_counter() - t0) * 1000)
    ts.sort()
    print(f"{name}\t{(ts[4] + ts[5]) / 2:.3f}\t{ts[-1]:.3f}\t{note} (10 runs, p95=max)")
PY
    ;;
  *) echo "usage: peer.sh index|index-merged CORPUS IDX | peer.sh query IDX" >&2; exit 2 ;;
esac
