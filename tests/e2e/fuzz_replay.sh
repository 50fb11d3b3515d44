# Replay the fuzz corpora (seeds and every input that once crashed) through
# the harnesses under ASan + UBSan; the CSV edge-case suite of shared/data
# goes through the ingest harness too.
. "$(dirname "$0")/lib.sh"
for h in date amount csv config; do
	r=$BUILD/replay_$h
	[ -x "$r" ] || { notok "fuzz_replay_$h" "no $r"; continue; }
	files=(tests/fuzz/corpus/$h/*)
	if [ "$h" = csv ]; then
		if [ -d "$SHARED_DATA/csv_spectrum/csvs" ]; then
			files+=("$SHARED_DATA"/csv_spectrum/csvs/*.csv)
		else
			skip fuzz_replay_csv_spectrum "no $SHARED_DATA/csv_spectrum (RW_SHARED_DATA)"
		fi
	fi
	"$r" "${files[@]}" >"$TMP/out" 2>&1
	check "fuzz_replay_$h" [ $? -eq 0 ]
done
