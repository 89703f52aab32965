#!/usr/bin/env bash
# Corpus check: the HTTP (method, host, URI) tuples in peephole's http.log
# vs the ones tshark dissects, on every capture in ../shared/corpus/pcap.
# Skips (exit 77) without the corpus or tshark. See http_vs_tshark.py.
here=$(cd "$(dirname "$0")" && pwd)
src=${PH_SRCDIR:-$here/../..}
corpus=${PH_CORPUS:-$src/../shared/corpus/pcap}
if [ ! -d "$corpus" ]; then
  echo "SKIP: no corpus at $corpus (set PH_CORPUS)"; exit 77
fi
if ! command -v tshark >/dev/null || ! command -v python3 >/dev/null; then
  echo "SKIP: tshark or python3 not installed"; exit 77
fi
exec python3 "$here/http_vs_tshark.py" "${PH_PEEPHOLE:-$src/build/peephole}" \
  "$corpus" "$here/http_vs_tshark.known"
