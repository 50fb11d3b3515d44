#!/usr/bin/env bash
# The alert-quality benchmark: for every scenario and seed, generate a
# company with a known truth (build/rwgen --scenario, truth.csv), run
# repwatch's nightly job on it and score the flags against the truth.
# Prints a table, then one line "quality NAME VALUE" per figure that
# bench/quality/check.sh compares with bench/quality/floors.  See
# bench/README.md, "Alert quality".
#
# usage: bench/quality/score.sh [SEED...]        (default seeds 1..10)
# env:   RW=build/repwatch  RWGEN=build/rwgen  JOBS=2 (nights at once)
#        RAW=FILE (keep the per-rep lines)  KEEP=DIR (keep data and databases)
set -u
export LC_ALL=C TZ=UTC
here=$(cd "$(dirname "$0")" && pwd)
RW=${RW:-build/repwatch}
RWGEN=${RWGEN:-build/rwgen}
JOBS=${JOBS:-2}
seeds=("$@")
[ ${#seeds[@]} -gt 0 ] || seeds=(1 2 3 4 5 6 7 8 9 10)
scenarios=(null decline team_drop new_hire departed low_volume improver deals_only)

for f in "$RW" "$RWGEN"; do
	[ -x "$f" ] || { echo "score.sh: $f: not built (make all)" >&2; exit 2; }
done
if [ -n "${KEEP:-}" ]; then
	work=$KEEP; mkdir -p "$work"
else
	work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
fi

# The night's date moves with the seed (37 days back each), so that the
# partial month is sometimes a day old and sometimes nearly whole.
end_of() { date -u -d "2026-10-31 - $((($1 - 1) * 37)) days" +%F; }

running=0
for seed in "${seeds[@]}"; do
	end=$(end_of "$seed") || exit 2
	for sc in "${scenarios[@]}"; do
		bash "$here/night.sh" "$RW" "$RWGEN" "$sc" "$seed" "$end" \
			"$work/$sc.$seed" >"$work/$sc.$seed.out" &
		running=$((running + 1))
		if [ "$running" -ge "$JOBS" ]; then wait -n; running=$((running - 1)); fi
	done
done
wait
for seed in "${seeds[@]}"; do
	for sc in "${scenarios[@]}"; do cat "$work/$sc.$seed.out"; done
done >"$work/all.lines"
[ -n "${RAW:-}" ] && cp "$work/all.lines" "$RAW"

awk -F'\t' -v nseeds=${#seeds[@]} -v expect=$((${#seeds[@]} * ${#scenarios[@]})) -f "$here/aggregate.awk" "$work/all.lines"
