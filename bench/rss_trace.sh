#!/usr/bin/env bash
# Where a run's memory goes over time (issue 16): runs the command given and
# samples its /proc status every INTERVAL seconds (default 2), one TSV line
# per sample: seconds since start, RSS, anonymous RSS (heap: maps, buffers,
# documents) and file-backed RSS (index files mapped while merging or
# searching), all in MB. The peak of each column is printed at the end.
# The RSS column samples the figure whose maximum `/usr/bin/time` reports,
# so its sampled peak can fall a little short of that. Give the program
# itself, not `/usr/bin/time PROGRAM`: the trace follows the process it
# starts, and would sample time's own few MB.
#
#   bash bench/rss_trace.sh target/release/cpsearch index c1m/files --index idx --quiet > trace.tsv
set -euo pipefail
interval=${INTERVAL:-2}
"$@" &
pid=$!
start=$(date +%s.%N)
printf 'seconds\trss_mb\tanon_mb\tfile_mb\n'
peak_rss=0 peak_anon=0 peak_file=0
while kill -0 "$pid" 2>/dev/null; do
  if status=$(cat "/proc/$pid/status" 2>/dev/null); then
    read -r rss anon file < <(awk '/^VmRSS/ {r=$2} /^RssAnon/ {a=$2} /^RssFile/ {f=$2}
      END {printf "%d %d %d\n", r/1024, a/1024, f/1024}' <<<"$status")
    now=$(date +%s.%N)
    printf '%.0f\t%d\t%d\t%d\n' "$(echo "$now - $start" | bc)" "$rss" "$anon" "$file"
    ((rss > peak_rss)) && peak_rss=$rss
    ((anon > peak_anon)) && peak_anon=$anon
    ((file > peak_file)) && peak_file=$file
  fi
  sleep "$interval"
done
wait "$pid"
echo "peak (sampled): rss ${peak_rss} MB, anon ${peak_anon} MB, file ${peak_file} MB" >&2
