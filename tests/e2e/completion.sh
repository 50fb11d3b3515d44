# Bash completion (completion/repwatch.bash): it parses, and what it offers
# is what --help says: the commands, each command's options, and the
# values of the options that take a fixed set.
. "$(dirname "$0")/lib.sh"
comp=completion/repwatch.bash
bash -n "$comp"
check completion_parses [ $? -eq 0 ]

# complete WORD...: what the script offers for the last word.
complete_words() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _repwatch
		 printf "%s\n" "${COMPREPLY[@]}" | sort' _ "$comp" "$@"
}

cmds=$("$RW" --help | sed -n 's/^  \([a-z][a-z]*\)  .*/\1/p')
want=$(printf '%s\n' $cmds --help --version | sort)
check completion_commands all_of '[ -n "$cmds" ]' '[ "$(complete_words repwatch "")" = "$want" ]'

# The options of a command's --help: its usage line and the lines that
# start with an option (up to the description); -h and --help always.
help_options() {
	{ "$RW" "$1" --help | sed -n -e 's/^usage: //p' -e '/^  *-/{s/   .*//;p}' |
	  grep -oE -- '(^|[ ,[])--?[a-z][a-z-]*' | grep -oE -- '--?[a-z][a-z-]*'
	  printf '%s\n' -h --help; } | sort -u
}
bad=""
for c in $cmds; do
	case $c in help | version) continue ;; esac
	want=$(help_options "$c")
	[ "$(complete_words repwatch "$c" -)" = "$want" ] || bad="$bad $c"
done
check completion_options [ -z "$bad" ]
[ -z "$bad" ] || echo "options differ from --help for:$bad"

# Values, as the --help texts list them.
check completion_format_report [ "$(complete_words repwatch report --format "" | tr '\n' ' ')" = "csv html json md " ]
check completion_format_assess [ "$(complete_words repwatch assess R003 --format "" | tr '\n' ' ')" = "html json md " ]
check completion_grain_equals [ "$(complete_words repwatch report --grain = q)" = quarter ]
check completion_state [ "$(complete_words repwatch alerts --state "" | tr '\n' ' ')" = "firing resolved " ]
check completion_allow_missing [ "$(complete_words repwatch run --allow-missing st)" = stage_history ]
check completion_profile [ "$(complete_words repwatch run --profile sales | tr '\n' ' ')" = "salesforce salesforce-report " ]
check completion_data_dirs [ "$(complete_words repwatch run --data sample-d)" = sample-data ]
check completion_no_value [ -z "$(complete_words repwatch run --as-of "")" ]
