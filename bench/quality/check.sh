#!/usr/bin/env bash
# Compare the "quality NAME VALUE" lines of bench/quality/score.sh (file or
# stdin) with bench/quality/floors: one "ok quality_NAME" or "not ok
# quality_NAME" line per floor, in the form tests/run.sh counts.  A floor
# with enforce 0 that is missed still prints "ok", with "# not met".
# Exit 1 when an enforced floor is missed or a figure is absent.
# usage: bench/quality/check.sh [SCORE_OUTPUT] [FLOORS]
set -u
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
in=${1:--}
floors=${2:-$here/floors}
awk -v floors="$floors" '
$1 == "quality" { val[$2] = $3 }
END {
	bad = 0
	while ((getline line < floors) > 0) {
		sub(/#.*/, "", line)
		if (split(line, f, " ") < 4) continue
		name = f[1]; op = f[2]; target = f[3]; enforce = f[4]
		if (!(name in val)) { printf "not ok quality_%s: no figure from score.sh\n", name; bad = 1; continue }
		v = val[name]
		met = v != "NA" && ((op == ">=" && v + 0 >= target + 0) || (op == "<=" && v + 0 <= target + 0))
		if (op != ">=" && op != "<=") { printf "not ok quality_%s: bad op %s in %s\n", name, op, floors; bad = 1; continue }
		if (met)
			printf "ok quality_%s: %s (target %s %s)\n", name, v, op, target
		else if (enforce == 0)
			printf "ok quality_%s # not met, not enforced: %s (target %s %s)\n", name, v, op, target
		else {
			printf "not ok quality_%s: %s, target %s %s\n", name, v, op, target
			bad = 1
		}
	}
	exit bad
}' "$in"
