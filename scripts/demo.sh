#!/usr/bin/env bash
# First-run demo: installs dependencies, builds peephole, generates a sample
# capture of a phone session (tools/phgen.c) and analyses it, printing the
# run summary and the first connection records.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh >/dev/null
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
./build/phgen -o sample.pcap
rm -rf out
set +e
./build/peephole logs sample.pcap -o out
rc=$?
set -e
echo
echo "== out/conn.log (first 5 of $(wc -l < out/conn.log) connections)"
head -n 5 out/conn.log
exit $rc
