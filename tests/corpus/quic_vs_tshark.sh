#!/usr/bin/env bash
# Corpus check: peephole's QUIC SNIs vs tshark's (every capture in
# ../shared/corpus/pcap), QUIC JA4 vs the JA4 tool's expected output, and
# suricata-verify quic checks. Skips (exit 77) without the corpus or
# tshark. See quic_vs_tshark.py.
here=$(cd "$(dirname "$0")" && pwd)
src=${PH_SRCDIR:-$here/../..}
corpus=${PH_CORPUS:-$src/../shared/corpus/pcap}
corpus=$(cd "$corpus/.." 2>/dev/null && pwd)
if [ -z "$corpus" ] || [ ! -d "$corpus/pcap" ]; then
  echo "SKIP: no corpus at ${PH_CORPUS:-$src/../shared/corpus/pcap} (set PH_CORPUS)"; exit 77
fi
if ! command -v tshark >/dev/null || ! command -v python3 >/dev/null; then
  echo "SKIP: tshark or python3 not installed"; exit 77
fi
exec python3 "$here/quic_vs_tshark.py" "${PH_PEEPHOLE:-$src/build/peephole}" \
  "$corpus" "$here/quic_vs_tshark.known"
