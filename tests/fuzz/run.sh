#!/usr/bin/env bash
# make fuzz: run each libFuzzer harness for N seconds from its seed corpus
# (the CSV harness also from ../shared/data/csv_spectrum); print the
# executions and whether it crashed.  usage: run.sh BUILD SECONDS NAME...
set -u
dir=$1; secs=$2; shift 2
fail=0
for h in "$@"; do
	work=$dir/corpus-$h
	mkdir -p "$work"
	cp -n tests/fuzz/corpus/$h/* "$work/" 2>/dev/null
	extra=""
	[ "$h" = csv ] && [ -d ../shared/data/csv_spectrum/csvs ] && extra=../shared/data/csv_spectrum/csvs
	log=$dir/fuzz-$h.log
	(cd "$dir" && ./fuzz_$h -max_total_time="$secs" -print_final_stats=1 \
		-artifact_prefix="crash-$h-" "corpus-$h" ${extra:+"$OLDPWD/$extra"}) >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	if [ "$rc" -eq 0 ]; then
		echo "fuzz_$h: ${execs:-?} executions in ${secs} s, no crash"
	else
		echo "fuzz_$h: CRASH after ${execs:-?} executions (see $log and $dir/crash-$h-*)"
		fail=1
	fi
done
exit $fail
