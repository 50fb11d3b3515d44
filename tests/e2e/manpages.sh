# The manual pages: groff renders them without a warning (-ww), man -l
# shows them, and they cannot drift from the program: every command and
# every option that --help prints, every exit code, every environment
# variable the sources read and every configuration key the readers accept
# is in them.
. "$(dirname "$0")/lib.sh"
m1=man/repwatch.1
m5=man/repwatch.ini.5

if command -v groff >/dev/null; then
	for p in $m1 $m5; do
		n=$(basename $p)
		groff -ww -mandoc -Tutf8 "$p" >"$TMP/out" 2>"$TMP/err"
		rc=$?
		check "manpages_groff_$n" all_of "[ $rc -eq 0 ]" '[ ! -s "$TMP/err" ]' '[ -s "$TMP/out" ]'
	done
else
	skip manpages_groff "groff is not installed (Debian: groff-base)"
fi
if command -v man >/dev/null; then
	for p in $m1 $m5; do
		n=$(basename $p)
		MANWIDTH=80 man -l "$p" >"$TMP/out" 2>"$TMP/err"
		rc=$?
		check "manpages_man_l_$n" all_of "[ $rc -eq 0 ]" '[ ! -s "$TMP/err" ]' \
			'grep -q "^NAME" "$TMP/out"' 'grep -q "^SEE ALSO" "$TMP/out"'
	done
else
	skip manpages_man_l "man is not installed (Debian: man-db)"
fi

# The page's source writes an option as \-\-name (groff's minus sign).
in_page() { grep -qF -- "$(printf '%s' "$2" | sed 's/-/\\-/g')" "$1"; }

# Commands of `repwatch --help` ("  NAME  what it does" lines), each with a
# paragraph of COMMANDS (.B NAME or .BI NAME).
cmds=$("$RW" --help | sed -n 's/^  \([a-z][a-z]*\)  .*/\1/p')
missing=""
for c in $cmds; do
	grep -Eq "^\.BI? \"?$c( |\"|$)" $m1 || missing="$missing $c"
done
check manpages_commands all_of '[ -n "$cmds" ]' '[ -z "$missing" ]'
[ -z "$missing" ] || echo "missing commands:$missing"

# Every long and short option of every command's --help.
missing=""
nopt=0
for c in $cmds; do
	case $c in help | version) continue ;; esac
	for o in $("$RW" "$c" --help | grep -oE '(^|[ ,[])--?[a-z][a-z-]*' | grep -oE -- '--?[a-z][a-z-]*' | sort -u); do
		nopt=$((nopt + 1))
		in_page $m1 "$o" || missing="$missing $c:$o"
	done
done
check manpages_options all_of '[ "$nopt" -gt 30 ]' '[ -z "$missing" ]'
[ -z "$missing" ] || echo "missing options:$missing"
check manpages_version all_of 'in_page $m1 --version' \
	"grep -qF \"$("$RW" --version | cut -d' ' -f2)\" $m1"

# Exit codes of `repwatch --help` (0 .. 5), each under EXIT STATUS.
codes=$("$RW" --help | sed -n '/^exit codes/,$p' | grep -oE '(^|: |; |\()[0-9] ' | grep -oE '[0-9]')
missing=""
for e in $codes; do
	sed -n '/^\.SH EXIT STATUS/,/^\.SH /p' $m1 | grep -qx "\.B $e" || missing="$missing $e"
done
check manpages_exit_codes all_of '[ "$(echo $codes | wc -w)" -ge 6 ]' '[ -z "$missing" ]'

# Environment variables read by the program's sources.
missing=""
for v in $(grep -rhoE 'getenv\("[A-Za-z_0-9]+"\)' cli common ingest engine rules store reports |
	   sed 's/getenv("\(.*\)")/\1/' | sort -u); do
	sed -n '/^\.SH ENVIRONMENT/,/^\.SH /p' $m1 | grep -qw "$v" || missing="$missing $v"
done
check manpages_environment [ -z "$missing" ]

# Configuration keys the readers accept (cli/config.c, ingest/, rules/):
# the integer table of [repwatch] and every key compared by name, each a
# .B/.BR line of repwatch.ini(5); and every section.
keys=$( { grep -hoE '^	\{ "[a-z_]+", -?[0-9]+, ' cli/config.c
	  grep -hoE 'strcasecmp\((name|key), "[a-z_]+"\)' cli/config.c ingest/*.c rules/*.c; } |
	grep -oE '"[a-z_]+"' | tr -d '"' | sort -u)
missing=""
for k in $keys; do
	grep -Eq "^\.BR? $k( |$)" $m5 || missing="$missing $k"
done
for s in repwatch columns. values. stages activity_types currency 'rule '; do
	grep -qF "[$s" $m5 || missing="$missing [$s]"
done
check manpages_ini_keys all_of '[ "$(echo $keys | wc -w)" -gt 20 ]' '[ -z "$missing" ]'
[ -z "$missing" ] || echo "missing keys:$missing"

# The shipped rules are named.
missing=""
for r in $(sed -n 's/^\[rule \([a-z_0-9]*\)\]/\1/p' rules/default.ini); do
	grep -qw "$r" $m5 || missing="$missing $r"
done
check manpages_default_rules [ -z "$missing" ]
