#!/usr/bin/env bash
# Alternates full index builds of two cpsearch binaries on the same files,
# so both see the same machine: wall and user seconds and peak RSS per run,
# then the mean and median of each and the ratio B/A.
#
#   bash bench/index_ab.sh BIN_A BIN_B FILES [PAIRS]
#   bash bench/index_ab.sh /tmp/cpsearch-nocluster target/release/cpsearch \
#     /tmp/cpsearch-load/c100000/files 6
#
# Odd pairs run A first, even pairs B first, so neither always runs on a
# warm cache. Index folders go to a temporary directory that is removed.
set -euo pipefail
a=$1 b=$2 files=$3 pairs=${4:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
run() { # label binary
  rm -rf "$work/idx"
  /usr/bin/time -f "$1 %e %U %M" "$2" index "$files" --index "$work/idx" --quiet 2>&1 >/dev/null |
    tail -1 | tee -a "$work/times"
}
for i in $(seq "$pairs"); do
  if [ $((i % 2)) = 1 ]; then run A "$a"; run B "$b"; else run B "$b"; run A "$a"; fi
done
python3 - "$work/times" <<'PY'
import statistics as st, sys
rows = [l.split() for l in open(sys.argv[1])]
for label in "AB":
    w = [float(r[1]) for r in rows if r[0] == label]
    u = [float(r[2]) for r in rows if r[0] == label]
    m = [int(r[3]) / 1024 for r in rows if r[0] == label]
    print(f"{label}: wall mean {st.mean(w):.2f} s median {st.median(w):.2f} s, "
          f"user mean {st.mean(u):.2f} s, peak RSS max {max(m):.0f} MB")
wa = [float(r[1]) for r in rows if r[0] == "A"]
wb = [float(r[1]) for r in rows if r[0] == "B"]
print(f"B/A wall: mean {st.mean(wb) / st.mean(wa):.3f}, "
      f"median of pairs {st.median(y / x for x, y in zip(wa, wb)):.3f}")
PY
