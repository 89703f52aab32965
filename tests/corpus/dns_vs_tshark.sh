#!/usr/bin/env bash
# Corpus check: DNS query names and answer addresses in peephole's dns.log
# vs tshark's DNS dissector, on every capture in ../shared/corpus/pcap.
# Skips (exit 77) without the corpus, tshark or python3. See
# dns_vs_tshark.py.
here=$(cd "$(dirname "$0")" && pwd)
src=${PH_SRCDIR:-$here/../..}
corpus=${PH_CORPUS:-$src/../shared/corpus/pcap}
if [ ! -d "$corpus" ]; then
  echo "SKIP: no corpus at $corpus (set PH_CORPUS)"; exit 77
fi
if ! command -v tshark >/dev/null || ! command -v python3 >/dev/null; then
  echo "SKIP: tshark or python3 not installed"; exit 77
fi
exec python3 "$here/dns_vs_tshark.py" "${PH_PEEPHOLE:-$src/build/peephole}" \
  "$corpus" "$here/dns_vs_tshark.known"
