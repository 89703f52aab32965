#!/usr/bin/env bash
# Corpus check for the detections without indicators (skips, exit 77,
# without the corpus):
# 1. For every capture in ../shared/corpus/pcap/ndpi, nDPI's flow risks
#    from ../shared/corpus/expected/ndpi/*.out that are about the same
#    thing as a peephole finding (certificates, obsolete TLS, weak ciphers,
#    clear-text credentials, suspicious DNS / DGA, binary transfer, known
#    protocol on a non-standard port, unsafe protocol, desktop sharing) are
#    compared with peephole check's findings. Prints a table: risk kind,
#    captures nDPI flags, captures peephole flags, both, agreement (both /
#    either). Disagreements are listed; docs/detections/README.md explains
#    the known ones.
# 2. Named captures must give the named findings (tunnels, cleartext
#    logins, old TLS...), and benign mobile-app captures must give nothing
#    above low: the false-positive count per benign capture is printed.
# Fails when a required finding is missing or a benign capture has a
# finding above low. Agreement figures are printed, not enforced per kind.
here=$(cd "$(dirname "$0")" && pwd)
src=${PH_SRCDIR:-$here/../..}
corpus=${PH_CORPUS:-$src/../shared/corpus/pcap}
root=$corpus/..
ph=${PH_PEEPHOLE:-$PH_BINDIR/peephole}
if [ ! -d "$corpus/ndpi" ] || [ ! -d "$root/expected/ndpi" ]; then
  echo "SKIP: no nDPI corpus at $corpus/ndpi (set PH_CORPUS)"; exit 77
fi
command -v python3 >/dev/null || { echo "SKIP: python3 not installed"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_CACHE_HOME=$tmp/cache

python3 "$here/detect_vs_ndpi.py" "$ph" "$root"
