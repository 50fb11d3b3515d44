#!/bin/bash
# run.sh - time repwatch against the tools a user would pick instead.
#
# usage: bench/run.sh [S|L|all]          (default all; run from anywhere)
#
# Generates the datasets with build/rwgen, times each tool as a whole process
# (/usr/bin/time: wall seconds and peak RSS; median wall of $RUNS runs, the
# largest peak RSS), checks every peer's per rep x month numbers against
# repwatch's rep_metrics (peers/check.py) and prints one table per size.
# Scratch goes to $RWBENCH_DIR (default /tmp/rwbench), never into the
# repository.  See bench/README.md.
#
# Environment:
#   RWBENCH_DIR  scratch directory (data, databases, peer outputs, tables)
#   RUNS         runs per tool (default 3)
#   SLOW_RUNS_L  runs of pandas and sqlite3 on L (default 1: they are slow)
#   AS_OF        as_of and the generator's --end (default 2026-10-31)
#   ONLY         space-separated subset of tools to run (repwatch always runs)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
W=${RWBENCH_DIR:-/tmp/rwbench}
RUNS=${RUNS:-3}
SLOW_RUNS_L=${SLOW_RUNS_L:-1}
AS_OF=${AS_OF:-2026-10-31}
ONLY=${ONLY:-}
TIME=/usr/bin/time
PY=/usr/bin/python3

die() { echo "bench: $*" >&2; exit 1; }

# size -> rwgen options (~1M and ~10M activities over 24 months)
gen_opts() {
	case $1 in
	S) echo "--seed 42 --end $AS_OF --months 24 --reps 200 --activities 1000000" ;;
	L) echo "--seed 42 --end $AS_OF --months 24 --reps 2000 --activities 10000000" ;;
	*) die "unknown size $1 (S, L or all)" ;;
	esac
}

check_tools() {
	[ -x "$root/build/repwatch" ] && [ -x "$root/build/rwgen" ] ||
		die "build/repwatch and build/rwgen missing: run make all"
	[ -x $TIME ] || die "$TIME missing: apt-get install -y time"
	command -v sqlite3 >/dev/null || die "sqlite3 CLI missing: apt-get install -y sqlite3"
	command -v node >/dev/null || die "node missing"
	if [ ! -d "$here/node_modules/@duckdb/node-api" ] ||
	   [ ! -d "$here/node_modules/nodejs-polars-linux-x64-gnu" ]; then
		echo "bench: installing DuckDB and Polars under bench/node_modules" >&2
		(cd "$here" && npm install --no-audit --no-fund >&2) ||
			die "npm install failed (needs the registry the first time)"
	fi
	$PY -c 'import pandas' 2>/dev/null ||
		die "pandas missing: apt-get install -y python3-pandas"
	mkdir -p "$W/out"
	# a copy, so that a rebuild during the benchmark does not mix binaries
	cp "$root/build/repwatch" "$W/repwatch" || die "cannot copy build/repwatch"
	cc -std=c11 -Wall -Wextra -Werror -Wmissing-prototypes \
	   -Wstrict-prototypes -Wwrite-strings -Wvla -O2 \
	   -o "$W/parse_only" "$here/parse_only.c" -lcsv ||
		die "cannot build bench/parse_only.c (libcsv-dev?)"
}

# Generate size $1 into $W/$1 unless it is there with the same options.
gen_data() {
	local d="$W/$1" opts
	opts=$(gen_opts "$1")
	if [ -f "$d/.options" ] && [ "$(cat "$d/.options")" = "$opts" ]; then
		return 0
	fi
	rm -rf "$d"
	echo "bench: generating $1: rwgen $opts" >&2
	# shellcheck disable=SC2086
	"$root/build/rwgen" $opts --out "$d" >&2 || die "rwgen failed"
	$PY "$here/peers/fix_utf8.py" "$d" || die "fix_utf8 failed"
	echo "$opts" > "$d/.options"
}

want() {
	[ -z "$ONLY" ] || [ "$1" = repwatch ] || [[ " $ONLY " == *" $1 "* ]]
}

# time_tool SIZE NAME RUNS CMD... : append "NAME median_wall max_rss" to the
# size's result list.  A run that fails stops the benchmark.
time_tool() {
	local size=$1 name=$2 n=$3 i tf walls="" rss=0 w m
	shift 3
	want "$name" || return 0
	tf="$W/out/$size-$name.time"
	for ((i = 1; i <= n; i++)); do
		[ "$name" = repwatch ] && rm -rf "$W/$size.db" "$W/$size.db-"* "$W/out/$size-report"
		if ! $TIME -f '%e %M' -o "$tf" "$@" > "$W/out/$size-$name.log" 2>&1; then
			cat "$W/out/$size-$name.log" >&2
			die "$name failed on $size"
		fi
		read -r w m < <(tail -n 1 "$tf")
		walls="$walls $w"
		[ "$m" -gt "$rss" ] && rss=$m
		echo "bench: $size $name run $i: ${w}s, $((m / 1024)) MB" >&2
	done
	w=$(printf '%s\n' $walls | sort -g | awk '{ v[NR] = $1 } END {
		print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
	echo "$name $w $rss $n" >> "$W/out/$size.results"
}

bench_size() {
	local s=$1 d="$W/$1" o="$W/out" slow=$RUNS
	[ "$s" = L ] && slow=$SLOW_RUNS_L
	gen_data "$s"
	rm -f "$o/$s.results"
	time_tool "$s" repwatch "$RUNS" "$W/repwatch" run --data "$d" \
		--db "$W/$s.db" --as-of "$AS_OF" --report-dir "$o/$s-report" -q
	time_tool "$s" duckdb "$RUNS" node "$here/peers/duckdb.mjs" "$d" "$AS_OF" "$o/$s-duckdb.csv"
	time_tool "$s" polars "$RUNS" node "$here/peers/polars.js" "$d" "$AS_OF" "$o/$s-polars.csv"
	time_tool "$s" pandas "$slow" $PY "$here/peers/pandas_peer.py" "$d" "$AS_OF" "$o/$s-pandas.csv"
	time_tool "$s" sqlite3 "$slow" bash "$here/peers/sqlite.sh" "$d" "$AS_OF" "$o/$s-sqlite3.csv"
	time_tool "$s" parse_only "$RUNS" "$W/parse_only" "$d/activities.csv"
	time_tool "$s" cat "$RUNS" sh -c 'cat "$1" > /dev/null' sh "$d/activities.csv"
	check_size "$s"
	table "$s"
}

# Every peer's numbers against repwatch's rep_metrics of the last run.
check_size() {
	local s=$1 t bad=0
	for t in duckdb polars pandas sqlite3; do
		want "$t" || continue
		$PY "$here/peers/check.py" "$W/$s.db" "$W/out/$s-$t.csv" "$s $t" || bad=1
	done
	echo "$bad" > "$W/out/$s.check"
}

table() {
	local s=$1 f="$W/out/$1.results"
	local acts
	acts=$(($(wc -l < "$W/$s/activities.csv") - 1))
	{
		echo
		echo "### $s: $(gen_opts "$s") ($acts activities, $(du -sm "$W/$s" | cut -f1) MB of CSV)"
		echo
		awk -v agree="$(cat "$W/out/$s.check")" '
			$1 == "repwatch" { base = $2 }
			{ name[NR] = $1; wall[NR] = $2; rss[NR] = $3; runs[NR] = $4 }
			END {
				print "| tool | runs | wall median (s) | peak RSS (MB) | time / repwatch |"
				print "|---|---:|---:|---:|---:|"
				for (i = 1; i <= NR; i++)
					printf "| %s | %d | %.2f | %.0f | %.2fx |\n", name[i], runs[i],
						wall[i], rss[i] / 1024, (base > 0) ? (wall[i] / base) : 0
				print ""
				print (agree == "0") ? "All peers agree with repwatch on every compared value." \
						     : "MISMATCHES: see the check output above."
			}' "$f"
	} | tee "$W/out/$s.md"
}

main() {
	local what=${1:-all} sizes
	case $what in
	S | L) sizes=$what ;;
	all) sizes="S L" ;;
	*) die "usage: bench/run.sh [S|L|all]" ;;
	esac
	check_tools
	for s in $sizes; do
		bench_size "$s"
	done
	echo
	echo "machine: $(nproc) CPUs, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)," \
	     "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1); $(date -u +%Y-%m-%d)"
	echo "tables: $W/out/{$(echo "$sizes" | tr ' ' ',')}.md"
	for s in $sizes; do
		[ "$(cat "$W/out/$s.check")" = 0 ] || exit 2
	done
}

main "$@"
