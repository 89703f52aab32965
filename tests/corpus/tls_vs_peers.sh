#!/usr/bin/env bash
# Corpus check: peephole's TLS results vs tshark, FoxIO ja4, nDPI and suricata-verify on
# capture in ../shared/corpus/pcap. Skips (exit 77) without the corpus or
# tshark. See tls_vs_peers.py.
here=$(cd "$(dirname "$0")" && pwd)
src=${PH_SRCDIR:-$here/../..}
corpus=${PH_CORPUS:-$src/../shared/corpus/pcap}
if [ ! -d "$corpus" ]; then
  echo "SKIP: no corpus at $corpus (set PH_CORPUS)"; exit 77
fi
if ! command -v tshark >/dev/null || ! command -v python3 >/dev/null; then
  echo "SKIP: tshark or python3 not installed"; exit 77
fi
exec python3 "$here/tls_vs_peers.py" "${PH_PEEPHOLE:-$src/build/peephole}" \
  "$corpus/.." "$here/tls_vs_peers.known"
