#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs dependencies, checks the
# source for banned functions, builds and runs every test twice — a normal
# build (warnings as errors) and an AddressSanitizer + UBSan build.
# Corpus tests compare with peers when ../shared/corpus exists and skip
# with a message otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh

echo "== banned functions"
if grep -rnE '\b(strcpy|strcat|sprintf|vsprintf|gets|strtok|atoi)\s*\(' src include tools; then
  echo "banned function used (see DESIGN.md conventions)"; exit 1
fi

jobs=$(nproc)
echo "== release build + tests"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPH_WERROR=ON >/dev/null
cmake --build build -j"$jobs"
(cd build && ctest --output-on-failure -j"$jobs")
echo "== corpus agreement figures (release build)"
grep -hE "^(TOTAL|SKIP)" build/Testing/Temporary/LastTest.log || true

echo "== ASan + UBSan build + tests"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DPH_SANITIZE=ON -DPH_WERROR=ON >/dev/null
cmake --build build-asan -j"$jobs"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --output-on-failure -j"$jobs")
echo "== corpus agreement figures (ASan build)"
grep -hE "^(TOTAL|SKIP)" build-asan/Testing/Temporary/LastTest.log || true
