# bash completion for repwatch(1): its commands, each command's options and
# the values those options take.  Self-contained (no bash-completion
# helpers), so that sourcing it works on any bash 4.  Installed by `make
# install` as share/bash-completion/completions/repwatch; the option lists
# are the --help texts' (tests/e2e/completion.sh fails when they drift).

_repwatch_opts()
{
	case $1 in
	run) echo "--data --db --config --profile --as-of --report-dir --rejects
		--allow-missing --replay --reps --opportunities --targets --activities
		--stage-history --plans
		--fail-on-alert --alerts --notify --shard --threads -q --quiet -h --help" ;;
	check) echo "--data --config --profile --reps --opportunities --targets
		--activities --stage-history --plans -h --help" ;;
	report) echo "--db --format --grain --team --period --out -h --help" ;;
	assess) echo "--db --format --grain --period --plan-days --emit-plan --out -h --help" ;;
	alerts) echo "--db --state -h --help" ;;
	merge) echo "-h --help" ;;
	backtest) echo "--data --db --config --profile --from --to --horizon --format
		--out --night-db --jobs -q --quiet -h --help" ;;
	esac
}

_repwatch()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev= cmd=${COMP_WORDS[1]:-} i=$COMP_CWORD
	local IFS=$' \t\n'

	COMPREPLY=()
	# --opt=value: bash splits it at "=" (COMP_WORDBREAKS).
	if [ "$cur" = "=" ]; then
		cur=
		prev=${COMP_WORDS[i - 1]}
	elif [ "$i" -ge 2 ] && [ "${COMP_WORDS[i - 1]}" = "=" ]; then
		prev=${COMP_WORDS[i - 2]}
	elif [ "$i" -ge 1 ]; then
		prev=${COMP_WORDS[i - 1]}
	fi

	if [ "$i" -eq 1 ]; then
		COMPREPLY=($(compgen -W "run check report assess alerts merge backtest help version --help --version" -- "$cur"))
		return 0
	fi

	case $prev in
	--data | --report-dir)
		COMPREPLY=($(compgen -d -- "$cur")); return 0 ;;
	--db | --config | --rejects | --alerts | --out | --reps | --opportunities | --night-db | \
	--targets | --activities | --stage-history | --plans | --emit-plan)
		COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;
	--profile)
		COMPREPLY=($(compgen -W "canonical salesforce salesforce-report hubspot pipedrive" -- "$cur")); return 0 ;;
	--format)
		if [ "$cmd" = report ] || [ "$cmd" = backtest ]; then
			COMPREPLY=($(compgen -W "md html csv json" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "md html json" -- "$cur"))
		fi
		return 0 ;;
	--grain)
		COMPREPLY=($(compgen -W "week month quarter" -- "$cur")); return 0 ;;
	--state)
		COMPREPLY=($(compgen -W "firing resolved" -- "$cur")); return 0 ;;
	--allow-missing)
		COMPREPLY=($(compgen -W "reps opportunities activities stage_history targets plans" -- "$cur")); return 0 ;;
	--notify)
		COMPREPLY=($(compgen -c -- "$cur")); return 0 ;;
	--as-of | --team | --period | --plan-days | --shard | --threads | --from | --to | --horizon | --jobs)
		return 0 ;;
	esac

	case $cur in
	-*) COMPREPLY=($(compgen -W "$(_repwatch_opts "$cmd")" -- "$cur")) ;;
	*) COMPREPLY=($(compgen -f -- "$cur")) ;;
	esac
	return 0
}

complete -o filenames -F _repwatch repwatch
