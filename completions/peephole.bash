# bash completion for peephole(1). Installed by `cmake --install` into
# share/bash-completion/completions/peephole; or source it by hand.
# Options come from the same lists as each command's --help; detection
# names and --set options are asked from the installed binary.

_peephole_opts_check='--ioc --allow --cache-dir --no-cache --device
 --identifiers --imei --imsi --iccid --phone --email --wifi-mac --bt-mac
 --android-id --adid --serial --device-name --user --location --ssid
 --custom --show-secrets --json --html --geoip -o --output -f --format
 --color --max-flows --set --list-options --list-detections --detections -q --quiet -h --help'
_peephole_opts_logs='-o --output -f --format --max-flows --tcp-timeout
 --udp-timeout -m --modules -q --quiet -h --help'
_peephole_opts_update='--cache-dir --feed --index --no-defaults --timeout
 -q --quiet -h --help'
_peephole_opts_ioc='--ioc --allow --cache-dir --no-cache --json -h --help'

_peephole()
{
	local cur prev cmd i
	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	cmd=
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		check|logs|update|ioc) cmd=${COMP_WORDS[i]}; break ;;
		esac
	done
	if [[ -z $cmd ]]; then
		COMPREPLY=($(compgen -W 'check logs update ioc --help --version' -- "$cur"))
		return
	fi
	case $prev in
	--ioc|--allow|--identifiers|--geoip)
		COMPREPLY=($(compgen -f -- "$cur")); compopt -o filenames 2>/dev/null
		return ;;
	--cache-dir|-o|--output)
		COMPREPLY=($(compgen -d -- "$cur")); compopt -o filenames 2>/dev/null
		return ;;
	--html)
		COMPREPLY=($(compgen -f -X '!*.html' -- "$cur") $(compgen -d -- "$cur"))
		compopt -o filenames 2>/dev/null
		return ;;
	-f|--format)
		COMPREPLY=($(compgen -W 'json tsv' -- "$cur")); return ;;
	--color)
		COMPREPLY=($(compgen -W 'auto always never' -- "$cur")); return ;;
	--detections)
		local names
		names=$("${COMP_WORDS[0]}" check --list-detections 2>/dev/null |
			cut -f1)
		local pre=${cur%,*} last=${cur##*,}
		[[ $pre == "$cur" ]] && pre= || pre="$pre,"
		COMPREPLY=($(compgen -P "$pre" -W "$names none" -- "$last"))
		compopt -o nospace 2>/dev/null
		return ;;
	--set)
		local opts
		opts=$("${COMP_WORDS[0]}" check --list-options 2>/dev/null |
			cut -d= -f1)
		COMPREPLY=($(compgen -S = -W "$opts" -- "$cur"))
		compopt -o nospace 2>/dev/null
		return ;;
	-m|--modules)
		COMPREPLY=($(compgen -W 'dns dns_log tls ssl_log x509_log quic
			quic_log http http_log dhcp dhcp_log label ndpi_log none' -- "$cur"))
		return ;;
	--device|--imei|--imsi|--iccid|--phone|--email|--wifi-mac|--bt-mac|\
	--android-id|--adid|--serial|--device-name|--user|--location|--ssid|\
	--custom|--max-flows|--tcp-timeout|--udp-timeout|--feed|--index|--timeout)
		return ;;
	esac
	if [[ $cmd == ioc ]]; then
		local sub=
		for ((i = 1; i < COMP_CWORD; i++)); do
			[[ ${COMP_WORDS[i]} == list || ${COMP_WORDS[i]} == match ]] &&
				sub=${COMP_WORDS[i]}
		done
		if [[ -z $sub && $cur != -* ]]; then
			COMPREPLY=($(compgen -W 'list match' -- "$cur")); return
		fi
	fi
	if [[ $cur == -* ]]; then
		local v="_peephole_opts_$cmd"
		COMPREPLY=($(compgen -W "${!v}" -- "$cur"))
		return
	fi
	case $cmd in
	check|logs)
		COMPREPLY=($(compgen -f -X '!*.@(pcap|pcapng|cap|pcap.gz|pcapng.gz)' -- "$cur")
			$(compgen -d -- "$cur"))
		compopt -o filenames 2>/dev/null ;;
	esac
}
shopt -s extglob 2>/dev/null
complete -F _peephole peephole
