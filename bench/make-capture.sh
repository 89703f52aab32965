#!/usr/bin/env bash
# Builds the benchmark capture bench/data/bench.pcap (>= 1 GiB, classic
# pcap, Ethernet) from the corpus captures:
#   1. keep only files whose link type is Ethernet (capinfos -E); files of
#      other link types (Linux SLL, raw IP, radiotap, NFLOG ...) are skipped
#      rather than converted, and unreadable files are skipped too;
#   2. join them end to end (mergecap -a -F pcap);
#   3. retime (bench/retime.py): time only moves forward, gaps over 2 s
#      shrink to 0.5 s;
#      packets tcprewrite cannot rewrite (malformed test packets) are
#      dropped;
#   4. make N copies with randomised addresses (tcprewrite --seed=i), each
#      started i seconds later (editcap -t), N = max(50, enough for 1 GiB);
#   5. merge the copies in time order (mergecap -F pcap).
# Needs: wireshark-common (capinfos, mergecap, editcap), tcpreplay
# (tcprewrite), python3. Corpus: $PH_CORPUS, else <repo>/../shared/corpus/pcap.
# Env: PH_BENCH_COPIES (force N), PH_BENCH_TARGET_MB (default 1024 MiB),
#      PH_BENCH_OUT (default bench/data/bench.pcap), JOBS (default nproc).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
corpus=${PH_CORPUS:-$(dirname "$repo")/shared/corpus/pcap}
out=${PH_BENCH_OUT:-$here/data/bench.pcap}
target_mb=${PH_BENCH_TARGET_MB:-1024}
jobs=${JOBS:-$(nproc)}
work=$(dirname "$out")/work.$$

die() { echo "make-capture: $*" >&2; exit 1; }
for t in capinfos mergecap editcap tcprewrite python3; do
	command -v "$t" >/dev/null || die "$t not found (apt-get install wireshark-common tcpreplay python3)"
done
[ -d "$corpus" ] || die "corpus not found: $corpus (set PH_CORPUS)"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT

# 1. Ethernet captures, sorted for a reproducible order.
mapfile -d '' all < <(find "$corpus" -type f \( -name '*.pcap' -o \
	-name '*.pcapng' -o -name '*.cap' \) -print0 | sort -z)
eth=()
skipped=0
for f in "${all[@]}"; do
	enc=$(capinfos -T -r -E "$f" 2>/dev/null | cut -f2) || enc=unreadable
	if [ "$enc" = ether ]; then eth+=("$f"); else skipped=$((skipped + 1)); fi
done
[ ${#eth[@]} -gt 0 ] || die "no Ethernet captures in $corpus"
echo "make-capture: ${#eth[@]} Ethernet captures, $skipped skipped (other link types or unreadable)"

# 2-3. Join end to end, then retime.
mergecap -a -F pcap -w "$work/joined.pcap" "${eth[@]}"
python3 "$here/retime.py" "$work/joined.pcap" "$work/base.pcap"
rm -f "$work/joined.pcap"

# tcprewrite aborts on some malformed test packets (e.g. an IPv4 ethertype
# with a bogus header): drop each packet it names until it gets through.
dropped=0
while ! tcprewrite --seed=1 --infile="$work/base.pcap" \
	--outfile="$work/probe.pcap" >/dev/null 2>"$work/probe.log"; do
	n=$(grep -o 'pkt=[0-9]*' "$work/probe.log" | tail -n1 | cut -d= -f2)
	if [ -z "$n" ] || [ $dropped -ge 200 ]; then
		die "tcprewrite failed: $(tail -n3 "$work/probe.log")"
	fi
	editcap -F pcap "$work/base.pcap" "$work/base.tmp" "$n"
	mv "$work/base.tmp" "$work/base.pcap"
	dropped=$((dropped + 1))
done
rm -f "$work/probe.pcap"
echo "make-capture: dropped $dropped packet(s) tcprewrite cannot rewrite"
base_size=$(stat -c %s "$work/base.pcap")

# 4. Copies with randomised addresses, each started i seconds later.
copies=${PH_BENCH_COPIES:-$(( (target_mb * 1048576 + base_size - 1) / base_size ))}
[ "${PH_BENCH_COPIES:-}" ] || [ "$copies" -ge 50 ] || copies=50
echo "make-capture: base $base_size bytes, making $copies copies with $jobs jobs"
copy_one() {
	local i=$1 work=$2
	if ! tcprewrite --seed="$i" --infile="$work/base.pcap" \
		--outfile="$work/rw$i.pcap" >/dev/null 2>"$work/rw$i.log"; then
		echo "make-capture: tcprewrite --seed=$i failed:" >&2
		tail -n3 "$work/rw$i.log" >&2
		return 255
	fi
	editcap -F pcap -t "$i" "$work/rw$i.pcap" "$work/copy$i.pcap"
	rm -f "$work/rw$i.pcap"
}
export -f copy_one
seq 1 "$copies" | xargs -P "$jobs" -I{} bash -c 'copy_one "$@"' _ {} "$work"

# 5. Merge in time order.
mkdir -p "$(dirname "$out")"
mergecap -F pcap -w "$out.tmp" "$work"/copy*.pcap
mv "$out.tmp" "$out"
capinfos -c -s -u -M "$out" | sed 1d
echo "make-capture: wrote $out"
