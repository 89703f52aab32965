#!/usr/bin/env bash
# Indicator store benchmark: builds ioc_bench (Release) and runs it for
# N = 1k, 100k and 1M synthetic indicators (70% domains, 20% addresses
# and ranges, 10% hashes), one process per N so that each peak RSS is its
# own. Prints load time, peak RSS, store growth and ns per lookup (hits
# and misses) as a table. usage: bench/ioc.sh [LOOKUPS]
# Env: PH_BENCH_BUILD (build dir, default <repo>/build-bench-ioc),
#      PH_BENCH_SIZES (default "1000 100000 1000000").
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
build=${PH_BENCH_BUILD:-$repo/build-bench-ioc}
lookups=${1:-2000000}
sizes=${PH_BENCH_SIZES:-1000 100000 1000000}

# warnings are CI's business: -O3 may warn where -O2 does not
cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Release -DPH_TESTS=OFF -DPH_WERROR=OFF \
	>/dev/null
cmake --build "$build" -j2 --target ioc_bench >/dev/null

# field KEY LINE: the value of KEY=VALUE in LINE
field() { tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p"; }

printf '%-9s %-8s %-8s %-9s %-8s %-9s %-7s %-8s %-8s %-9s\n' \
	N load_s rss_MB store_MB dom_hit dom_miss ip_hit ip_miss hash_hit \
	hash_miss
for n in $sizes; do
	line=$("$build/ioc_bench" "$n" "$lookups")
	printf '%-9s %-8s %-8s %-9s %-8s %-9s %-7s %-8s %-8s %-9s\n' "$n" \
		"$(field load_s "$line")" "$(field rss_mb "$line")" \
		"$(field store_mb "$line")" "$(field dom_hit_ns "$line")" \
		"$(field dom_miss_ns "$line")" "$(field ip_hit_ns "$line")" \
		"$(field ip_miss_ns "$line")" "$(field hash_hit_ns "$line")" \
		"$(field hash_miss_ns "$line")"
done
echo "CPU time; lookup columns: ns per lookup (${lookups} lookups over 100,000 keys);" \
	"rss_MB: process peak; store_MB: growth during the load"
