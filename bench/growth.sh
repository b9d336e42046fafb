#!/usr/bin/env bash
# How each cost grows with the corpus (issue 16): for each corpus folder
# written by ../shared/bench-peers/gen_corpus.py, a from-scratch index
# (wall seconds, peak RSS, index size against the files' size), then the
# in-process Q1-Q8 medians and the whole-process `cpsearch search sanctions
# --json --facets` median (bench/peer.sh query), one Markdown row per corpus.
#
#   bash bench/growth.sh /tmp/cpsearch-load/c10000 /tmp/cpsearch-load/c100000 /tmp/cpsearch-load/c1m
#
# Indexes go to $WORK (default: a new temporary directory, kept, printed).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=${WORK:-$(mktemp -d)}
mkdir -p "$work"
echo "indexes in $work" >&2
echo "| corpus | articles | files MB | index wall s | peak RSS MB | index MB (× files) | Q1 | Q2 | Q3 | Q4 | Q5 | Q6 | Q7 | Q8 | search --json --facets |"
echo "|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for corpus in "$@"; do
  name=$(basename "$corpus")
  idx="$work/$name"
  /usr/bin/time -f "%e %M" -o "$work/$name.time" bash "$root/bench/peer.sh" index "$corpus" "$idx"
  bash "$root/bench/peer.sh" query "$idx" > "$work/$name.queries"
  python3 - "$name" "$corpus" "$idx" "$work/$name.time" "$work/$name.queries" <<'PY'
import json, os, sys
name, corpus, idx, time_file, queries = sys.argv[1:]
def size_mb(path):
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(path) for f in fs) / 1e6
wall, kb = open(time_file).read().split()[-2:]
median = {}
for line in open(queries):
    cols = line.rstrip("\n").split("\t")
    if cols[0] != "COUNT":
        median[cols[0]] = float(cols[1])
files_mb, index_mb = size_mb(os.path.join(corpus, "files")), size_mb(idx)
articles = json.load(open(os.path.join(corpus, "manifest.json")))["n"]
qs = " | ".join(f"{median[f'Q{i}']:.2f}" for i in range(1, 9))
print(f"| {name} | {articles:,} | {files_mb:,.0f} | {float(wall):.1f} | {int(kb) / 1024:,.0f} | "
      f"{index_mb:,.0f} ({index_mb / files_mb:.2f}) | {qs} | {median['Q7proc-all']:.2f} |")
PY
done
