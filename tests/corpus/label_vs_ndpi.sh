#!/usr/bin/env bash
# Corpus check: peephole's nDPI labels (conn.log app_label, ndpi.log risks)
# vs ndpiReader's expected results for ../shared/corpus/pcap/ndpi. Skips
# (exit 77) without the corpus or python3. See label_vs_ndpi.py.
here=$(cd "$(dirname "$0")" && pwd)
src=${PH_SRCDIR:-$here/../..}
corpus=${PH_CORPUS:-$src/../shared/corpus/pcap}
pcaps=$corpus/ndpi
expected=$corpus/../expected/ndpi
if [ ! -d "$pcaps" ] || [ ! -d "$expected" ]; then
  echo "SKIP: no nDPI corpus at $pcaps / $expected (set PH_CORPUS)"; exit 77
fi
if ! command -v python3 >/dev/null; then
  echo "SKIP: python3 not installed"; exit 77
fi
# The risk names (ndpi_risk2str) and protocol names nDPI 4.2 knows, from
# the installed library.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/names.c" <<'C'
#include <stdio.h>
#include <ndpi_api.h>
int main(void)
{
	for (int i = 1; i < NDPI_MAX_RISK; i++)
		printf("%d %s\n", i, ndpi_risk2str((ndpi_risk_enum)i));
	struct ndpi_detection_module_struct *m =
		ndpi_init_detection_module(ndpi_no_prefs);
	if (!m)
		return 1;
	ndpi_finalize_initialization(m);
	for (unsigned i = 1; i < ndpi_get_num_supported_protocols(m); i++)
		printf("P %s\n", ndpi_get_proto_name(m, (u_int16_t)i));
	ndpi_exit_detection_module(m);
	return 0;
}
C
names=
if ${CC:-cc} -o "$tmp/names" "$tmp/names.c" $(pkg-config --cflags --libs libndpi) \
     2>/dev/null && "$tmp/names" >"$tmp/names.txt"; then
  names=$tmp/names.txt
else
  echo "note: cannot build the nDPI name helper; risks not compared"
fi
peephole=${PH_PEEPHOLE:-$src/build/peephole}
echo "== peephole vs the expected results of nDPI's test suite (newer nDPI)"
python3 "$here/label_vs_ndpi.py" "$peephole" "$pcaps" "$expected" \
  "$here/label_vs_ndpi.known" $names threshold
rc=$?
# The same against the installed ndpiReader (same nDPI 4.2 as ours): checks
# the integration itself (packets fed, direction, give-up), not nDPI.
if command -v ndpiReader >/dev/null && [ -n "$names" ]; then
  mkdir -p "$tmp/exp42"
  for f in "$pcaps"/*; do
    timeout 120 ndpiReader -i "$f" -v 2 >"$tmp/exp42/$(basename "$f").out" \
      2>/dev/null
  done
  echo "== peephole vs the installed ndpiReader (nDPI 4.2, same library)"
  python3 "$here/label_vs_ndpi.py" "$peephole" "$pcaps" "$tmp/exp42" \
    "$here/label_vs_ndpi.known" "$names" threshold42 || rc=1
else
  echo "note: ndpiReader (Debian ndpi package) not installed: 4.2 check skipped"
fi
exit $rc
