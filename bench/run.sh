#!/usr/bin/env bash
# Times peephole and its peers on one capture, one run each, same file,
# after a warm-up read into the page cache:
#   tcpdump -r FILE -w /dev/null        (read + write floor)
#   ndpiReader -i FILE -q               (nDPI 4.2 classification)
#   tshark -r FILE -q -z conv,tcp       (full dissection + TCP conversations)
#   zeek -C -r FILE                     (only if installed; not in Debian 12)
#   peephole logs FILE -o TMPDIR        ($PEEPHOLE, else ./build/peephole)
#   peephole logs -m none FILE -o DIR   (capture engine + conn.log only)
# Each runs under GNU time (/usr/bin/time -f '%M': peak RSS; the wall
# time is taken with date +%s%N, finer than %e's 10 ms; with
# PH_BENCH_RUNS=N the fastest of N runs and the largest RSS are kept); needs the Debian package `time` (apt-get install time) and
# capinfos (wireshark-common) for the packet count. Prints: tool, seconds,
# MB/s (10^6 bytes), packets/s, peak RSS MiB, and seconds relative to
# peephole (2.0 = twice as long as peephole).
# usage: bench/run.sh [FILE]   (default bench/data/bench.pcap)
# Env: PEEPHOLE (binary), PH_BENCH_RUNS=N (best of N, default 1),
#      PH_BENCH_KEEP=1 keeps the tools' output in TMPDIR.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
file=${1:-$here/data/bench.pcap}
peephole=${PEEPHOLE:-$repo/build/peephole}
gtime=/usr/bin/time
runs=${PH_BENCH_RUNS:-1}

die() { echo "run: $*" >&2; exit 1; }
[ -r "$file" ] || die "no capture at $file (run bench/make-capture.sh)"
[ -x "$gtime" ] || die "$gtime missing: apt-get install time"
command -v capinfos >/dev/null || die "capinfos missing: apt-get install wireshark-common"

tmp=$(mktemp -d)
[ "${PH_BENCH_KEEP:-}" ] || trap 'rm -rf "$tmp"' EXIT
bytes=$(stat -L -c %s "$file")
packets=$(capinfos -c -M -r -T "$file" | cut -f2)
echo "capture: $file"
echo "size: $bytes bytes, packets: $packets"
echo "warm-up: reading the file into the page cache"
cat "$file" >/dev/null

names=() secs=() rss=() notes=()

# run NAME CMD...: times CMD $runs times (output to $tmp/NAME.out) and
# records the fastest wall time and the largest peak RSS.
run() {
	local name=$1 best="" peak=0 rc=0 i t0 t1 s m
	shift
	for ((i = 0; i < runs; i++)); do
		echo "running: $*" >&2
		t0=$(date +%s%N)
		"$gtime" -f '%M' -o "$tmp/$name.time" "$@" >"$tmp/$name.out" \
			2>"$tmp/$name.err" || rc=$?
		t1=$(date +%s%N)
		[ $rc -eq 0 ] || break
		m=$(tail -n1 "$tmp/$name.time")
		s=$(( (t1 - t0) / 1000000 ))
		if [ -z "$best" ] || [ "$s" -lt "$best" ]; then best=$s; fi
		if [ "$m" -gt "$peak" ]; then peak=$m; fi
	done
	names+=("$name")
	# wall time from date(1): GNU time's %e only has 10 ms resolution
	secs+=("$(awk -v ms="${best:-$(( (t1 - t0) / 1000000 ))}" \
		'BEGIN { printf "%.3f", ms / 1000 }')")
	rss+=("$peak")
	if [ $rc -ne 0 ]; then
		notes+=("exit $rc: $(tail -n1 "$tmp/$name.err")")
	else
		notes+=("")
	fi
}

skip() { echo "skip: $1 ($2)" >&2; }

if command -v tcpdump >/dev/null; then
	run tcpdump tcpdump -r "$file" -w /dev/null
else skip tcpdump "not installed"; fi
if command -v ndpiReader >/dev/null; then
	run ndpiReader ndpiReader -i "$file" -q
else skip ndpiReader "not installed"; fi
if command -v tshark >/dev/null; then
	run tshark tshark -r "$file" -q -z conv,tcp
	conv=$(grep -c '<->' "$tmp/tshark.out")
	echo "tshark: $conv TCP conversations" >&2
else skip tshark "not installed"; fi
if command -v zeek >/dev/null; then
	mkdir -p "$tmp/zeek"
	# shellcheck disable=SC2016 # expanded by the inner sh
	run zeek sh -c 'cd "$1" && exec zeek -C -r "$2"' _ "$tmp/zeek" "$file"
else skip zeek "not installed (not packaged in Debian 12 main)"; fi
if [ -x "$peephole" ]; then
	mkdir -p "$tmp/logs"
	run peephole "$peephole" logs "$file" -o "$tmp/logs"
	if [ -z "${notes[-1]}" ] && [ -z "$(ls -A "$tmp/logs")" ]; then
		notes[-1]="wrote no logs: not a real run"
	fi
	# the capture engine alone: flows and conn.log, no protocol modules
	mkdir -p "$tmp/conn"
	run peephole-conn "$peephole" logs -m none "$file" -o "$tmp/conn"
else skip peephole "no binary at $peephole; set PEEPHOLE or build it"; fi

# The table.
ref=""
for i in "${!names[@]}"; do
	[ "${names[$i]}" = peephole ] && [ -z "${notes[$i]}" ] && ref=${secs[$i]}
done
echo
printf '%-11s %9s %9s %12s %9s %12s  %s\n' tool seconds MB/s packets/s \
	RSS_MiB vs_peephole note
for i in "${!names[@]}"; do
	awk -v n="${names[$i]}" -v s="${secs[$i]}" -v m="${rss[$i]}" \
	    -v b="$bytes" -v p="$packets" -v r="$ref" -v note="${notes[$i]}" \
	    'BEGIN { t = s > 0 ? s : 0.01
		 ratio = r == "" ? "n/a" : sprintf("%.2f", s / (r > 0 ? r : 0.01))
		 printf "%-11s %9.3f %9.1f %12.0f %9.1f %12s  %s\n", n, s,
			b / 1e6 / t, p / t, m / 1024, ratio, note }'
done
[ "${PH_BENCH_KEEP:-}" ] && echo "outputs kept in $tmp"
exit 0
