#!/usr/bin/env bash
# First-run demo: installs dependencies, builds peephole, generates a sample
# capture of a phone session (tools/phgen.c) and checks it against a small
# made-up indicator feed (samples/demo-indicators.stix2: documentation-only
# names and addresses that phgen plants) and the phone's made-up identifiers
# (samples/demo-identifiers.txt), printing the verdict and the findings; the
# Zeek logs, notice.log and the HTML report (report.html) go to out/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh >/dev/null
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
./build/phgen -o sample.pcap
rm -rf out
set +e
./build/peephole check sample.pcap --ioc samples/demo-indicators.stix2 \
  --identifiers samples/demo-identifiers.txt -o out --html out/report.html
rc=$?
set -e
echo
echo "== out/: $(ls out | tr '\n' ' ')"
echo "== peephole check exited $rc (1: findings of medium severity or more)"
# 0 and 1 are both a successful demo; anything else is an error.
[ "$rc" -le 1 ]
