#!/usr/bin/env bash
# Beacon detection sweep: builds beacon_sweep (Release) and runs it. It
# generates SESSIONS sessions per setting (period 30/60/300 s, jitter
# 0/10/30/50 %, missed beats 0/20/40 %, and benign Poisson, bursty and
# on/off background traffic), scores each with the beacon detection's
# scoring library and prints detection and false-positive rates as a
# Markdown table. usage: bench/beacon-sweep.sh [SESSIONS [SEED]]
# Env: PH_BENCH_BUILD (build dir, default <repo>/build-bench-beacon).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
build=${PH_BENCH_BUILD:-$repo/build-bench-beacon}

# warnings are CI's business: -O3 may warn where -O2 does not
cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Release -DPH_TESTS=OFF \
	-DPH_WERROR=OFF >/dev/null
cmake --build "$build" -j2 --target beacon_sweep >/dev/null
"$build/beacon_sweep" "${1:-100}" "${2:-1}"
