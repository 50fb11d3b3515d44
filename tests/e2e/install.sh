# make install / make uninstall: with DESTDIR and PREFIX=/usr the binary
# runs, man -l renders both pages, the completion script loads in bash
# (and through bash-completion's loader where it is installed); uninstall
# removes exactly the installed files, not one an administrator added.
. "$(dirname "$0")/lib.sh"
# A make of our own, not a job of the `make test` that may be running us.
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -s B="$PLAIN" "$@"; }
root=$TMP/root
mk install DESTDIR="$root" PREFIX=/usr >"$TMP/out" 2>&1
check install_runs [ $? -eq 0 ] || cat "$TMP/out"

# What install must write, by hand: 6 files plus the example configs.
{ printf '%s\n' usr/bin/repwatch usr/share/man/man1/repwatch.1 usr/share/man/man5/repwatch.ini.5 \
	usr/share/bash-completion/completions/repwatch usr/share/repwatch/default.ini \
	usr/share/repwatch/examples/systemd/repwatch.service usr/share/repwatch/examples/systemd/repwatch.timer \
	usr/share/repwatch/examples/notify/chat-webhook.sh usr/share/repwatch/examples/notify/mail-digest.sh
  for f in examples/*.ini; do echo "usr/share/repwatch/$f"; done; } | sort >"$TMP/want"
(cd "$root" && find . -type f | sed 's|^\./||' | sort) >"$TMP/got"
check install_files diff "$TMP/want" "$TMP/got"

check install_version [ "$("$root/usr/bin/repwatch" --version)" = "$("$RWP" --version)" ]
check install_modes all_of "[ -x '$root/usr/share/repwatch/examples/notify/chat-webhook.sh' ]" \
	"[ -x '$root/usr/share/repwatch/examples/notify/mail-digest.sh' ]" \
	"[ \$(stat -c %a '$root/usr/share/man/man1/repwatch.1') = 644 ]" \
	"[ \$(stat -c %a '$root/usr/share/repwatch/examples/systemd/repwatch.service') = 644 ]"
# Paths in the pages and units follow PREFIX.
check install_prefix_paths all_of \
	"! grep -rq /usr/local '$root/usr/share/man' '$root/usr/share/repwatch/examples/systemd'" \
	"grep -q '^ExecStart=/usr/bin/repwatch ' '$root/usr/share/repwatch/examples/systemd/repwatch.service'" \
	"grep -qF '/usr/share/repwatch/default.ini' '$root/usr/share/man/man1/repwatch.1'"

if command -v man >/dev/null; then
	for p in man1/repwatch.1 man5/repwatch.ini.5; do
		MANWIDTH=80 man -l "$root/usr/share/man/$p" >"$TMP/page" 2>"$TMP/err"
		rc=$?
		check "install_man_l_$(basename $p)" all_of "[ $rc -eq 0 ]" '[ ! -s "$TMP/err" ]' \
			'grep -q "^NAME" "$TMP/page"'
	done
else
	skip install_man_l "man is not installed (Debian: man-db)"
fi

comp=$root/usr/share/bash-completion/completions/repwatch
got=$(bash -c '. "$1"; complete -p repwatch; COMP_WORDS=(repwatch ru); COMP_CWORD=1; _repwatch; echo "${COMPREPLY[*]}"' _ "$comp" 2>&1)
check install_completion_sourced [ "$got" = "complete -o filenames -F _repwatch repwatch
run" ]
# bash-completion finds it where install put it (XDG_DATA_DIRS).
bc=/usr/share/bash-completion/bash_completion
if [ -r "$bc" ]; then
	got=$(XDG_DATA_DIRS=$root/usr/share bash -c '. "$1" 2>/dev/null; __load_completion repwatch && complete -p repwatch' _ "$bc" 2>&1)
	check install_completion_loader [ "$got" = "complete -o filenames -F _repwatch repwatch" ]
else
	skip install_completion_loader "bash-completion is not installed (Debian: bash-completion)"
fi

# An administrator's own file under share/repwatch survives uninstall.
echo '; local' >"$root/usr/share/repwatch/examples/local.ini"
mk uninstall DESTDIR="$root" PREFIX=/usr >"$TMP/out" 2>&1
check install_uninstall_runs [ $? -eq 0 ]
(cd "$root" && find . -type f | sed 's|^\./||') >"$TMP/left"
check install_uninstall_exact [ "$(cat "$TMP/left")" = usr/share/repwatch/examples/local.ini ]
rm "$root/usr/share/repwatch/examples/local.ini"
mk install DESTDIR="$root" PREFIX=/usr >/dev/null 2>&1 && mk uninstall DESTDIR="$root" PREFIX=/usr >/dev/null 2>&1
check install_uninstall_clean all_of "[ -z \"\$(find '$root' -type f)\" ]" "[ ! -e '$root/usr/share/repwatch' ]"

# PREFIX defaults to /usr/local.
mk install DESTDIR="$TMP/dflt" >/dev/null 2>&1
check install_default_prefix [ -x "$TMP/dflt/usr/local/bin/repwatch" ]
