# An activities file parsed on two threads (--threads 2, the default)
# gives the database and the rejects file that one thread gives
# (--threads 1), byte for byte (db_digest), on sample-data and on a
# generated export of over 8 MiB (the least that is cut in two) in
# hostile variants: a quoted field of many lines across the middle (where
# the cut falls), CRLF line ends with a byte order mark, and activity ids
# repeated across the halves, with the same and with other content.
. "$(dirname "$0")/lib.sh"
GEN=${BUILD%/asan}/rwgen
[ -x "$GEN" ] || GEN=build/rwgen

# same_both NAME DIR: run DIR with 1 and 2 threads and compare.
same_both() {
	local name=$1 dir=$2 t rc1 rc2
	for t in 1 2; do
		rm -rf "$TMP/t$t.db"*
		"$RW" run --data "$dir" --db "$TMP/t$t.db" --as-of $ASOF --threads $t \
			--rejects "$TMP/rej$t.csv" -q >/dev/null 2>"$TMP/err$t"
		eval "rc$t=\$?"
	done
	check "threads_same_$name" all_of '[ "$rc1" -eq 0 ]' '[ "$rc2" -eq 0 ]' \
		'[ "$(db_digest "$TMP/t1.db")" = "$(db_digest "$TMP/t2.db")" ]' \
		'cmp -s "$TMP/rej1.csv" "$TMP/rej2.csv"' \
		'cmp -s "$TMP/err1" "$TMP/err2"'
}

same_both sample sample-data

if ! "$GEN" --seed 7 --end $ASOF --months 24 --reps 80 --activities 200000 \
	--out "$TMP/g" >/dev/null 2>&1; then
	notok threads_generate "rwgen failed"
	exit 0
fi
a=$TMP/g/activities.csv
size=$(wc -c <"$a")
check threads_big_enough [ "$size" -gt $((8 << 20)) ]
same_both export "$TMP/g"

# A record whose quoted subject holds 400 lines, placed so that the middle
# of the file (where the cut is sought) falls inside it.
cp "$a" "$TMP/orig.csv"
awk -v half=$(((size + 2400) / 2 - 1200)) '
	{ n += length($0) + 1; print }
	n >= half && !done {
		printf "Q1,R001,call,2026-01-05,,\""
		for (i = 0; i < 400; i++) printf "line %d,\n", i
		print "end\""
		done = 1
	}' "$TMP/orig.csv" >"$a"
same_both quoted_middle "$TMP/g"

# CRLF line ends (inside the quoted field too) and a byte order mark.
printf '\357\273\277' >"$a"
sed 's/$/\r/' "$TMP/orig.csv" >>"$a"
same_both crlf_bom "$TMP/g"

# The first 50 rows again at the end (the same activities: counted once),
# and the first row's id with another type (rejected), after the middle.
cp "$TMP/orig.csv" "$a"
sed -n '2,51p' "$TMP/orig.csv" >>"$a"
sed -n '2p' "$TMP/orig.csv" | awk -F, -v OFS=, '{ $3 = ($3 == "call") ? "email" : "call"; print }' >>"$a"
same_both repeated_ids "$TMP/g"
check threads_repeats_seen all_of 'grep -q "duplicate activity_id with different content" "$TMP/rej2.csv"' \
	'[ "$(sqlite3 "$TMP/t2.db" "SELECT COUNT(*) FROM runs")" = 1 ]'
