#!/usr/bin/env bash
# End-to-end checks of `peephole logs` as a user runs it, on captures made
# by phgen: exit codes, error lines, formats (pcap, pcapng, gzip, stdin,
# several files), TSV output, and what the sample's conn.log must contain.
set -u
bin=${PH_BINDIR:?}
ph=$bin/peephole
gen=$bin/phgen
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0

ok() { passes=$((passes + 1)); echo "ok   $1"; }
bad() { fails=$((fails + 1)); echo "FAIL $1"; }
expect_rc() { # name expected actual
  if [ "$2" = "$3" ]; then ok "$1 (exit $3)"; else bad "$1: exit $3, expected $2"; fi
}

"$gen" --seed 7 --minutes 4 -o "$tmp/s.pcap" || { echo "phgen failed"; exit 1; }

# --- usage ---------------------------------------------------------------
"$ph" --version >/dev/null; expect_rc "--version" 0 $?
"$ph" --help | grep -q "logs" ; expect_rc "--help lists logs" 0 $?
"$ph" logs --help | grep -q -- "--format"; expect_rc "logs --help" 0 $?
"$ph" frobnicate 2>/dev/null; expect_rc "unknown command" 3 $?
"$ph" logs "$tmp/s.pcap" 2>/dev/null; expect_rc "logs without -o" 3 $?
"$ph" logs -o "$tmp/o" 2>/dev/null; expect_rc "logs without capture" 3 $?
"$ph" logs --max-flows abc "$tmp/s.pcap" -o "$tmp/o" 2>/dev/null; expect_rc "bad number" 3 $?

# --- the sample, JSON ----------------------------------------------------
"$ph" logs -q "$tmp/s.pcap" -o "$tmp/json"; expect_rc "sample json" 0 $?
python3 - "$tmp/json/conn.log" <<'PY' && ok "sample conn.log content" || bad "sample conn.log content"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
assert len(recs) > 50, len(recs)
def find(**kw):
    return [r for r in recs if all(r.get(k) == v for k, v in kw.items())]
adb = find(**{"id.orig_h": "198.51.100.9", "id.resp_p": 5555})
assert len(adb) == 1 and adb[0]["conn_state"] == "SF", adb
rej = find(**{"id.resp_h": "192.0.2.33", "id.resp_p": 8443})
assert len(rej) == 1 and rej[0]["conn_state"] == "REJ", rej
post = find(**{"id.resp_h": "198.51.100.77", "id.resp_p": 8080})
assert len(post) == 1 and post[0]["orig_bytes"] > 100, post
beacons = find(**{"id.resp_h": "203.0.113.50", "id.resp_p": 443})
assert len(beacons) >= 3, len(beacons)
for r in recs:
    assert r["uid"].startswith("C") and r["proto"] in ("tcp", "udp", "icmp", "unknown_transport")
    assert r["community_id"].startswith("1:")
print("records", len(recs))
PY

# --- same session in other containers gives the same log ----------------
"$gen" --seed 7 --minutes 4 --format pcapng -o "$tmp/s.pcapng"
"$gen" --seed 7 --minutes 4 --gzip -o "$tmp/s.pcap.gz"
"$ph" logs -q "$tmp/s.pcapng" -o "$tmp/ng"; expect_rc "pcapng" 0 $?
cmp -s "$tmp/json/conn.log" "$tmp/ng/conn.log" && ok "pcapng log identical" || bad "pcapng log differs"
"$ph" logs -q "$tmp/s.pcap.gz" -o "$tmp/gz"; expect_rc "gzip" 0 $?
cmp -s "$tmp/json/conn.log" "$tmp/gz/conn.log" && ok "gzip log identical" || bad "gzip log differs"
"$ph" logs -q - -o "$tmp/stdin" < "$tmp/s.pcap"; expect_rc "stdin" 0 $?
cmp -s "$tmp/json/conn.log" "$tmp/stdin/conn.log" && ok "stdin log identical" || bad "stdin log differs"
if command -v editcap >/dev/null; then
  editcap -c 700 "$tmp/s.pcap" "$tmp/part.pcap" >/dev/null 2>&1
  # reversed order on the command line: merged by time anyway
  "$ph" logs -q $(ls -r "$tmp"/part_*.pcap) -o "$tmp/parts"; expect_rc "several files" 0 $?
  cmp -s "$tmp/json/conn.log" "$tmp/parts/conn.log" && ok "split files give the same log" || bad "split files log differs"
else
  echo "skip several-files check: editcap not installed"
fi

# --- TSV ----------------------------------------------------------------
"$ph" logs -q -f tsv "$tmp/s.pcap" -o "$tmp/tsv"; expect_rc "tsv" 0 $?
head -8 "$tmp/tsv/conn.log" | grep -q "^#fields	ts	uid	id.orig_h" && ok "tsv #fields header" || bad "tsv header"
n_json=$(wc -l < "$tmp/json/conn.log"); n_tsv=$(grep -vc '^#' "$tmp/tsv/conn.log")
[ "$n_json" = "$n_tsv" ] && ok "tsv has as many records as json ($n_tsv)" || bad "tsv $n_tsv records vs json $n_json"

# --- bad input ----------------------------------------------------------
echo "this is not a capture" > "$tmp/notcap.pcap"
"$ph" logs -q "$tmp/notcap.pcap" -o "$tmp/bad1" 2>"$tmp/err1"; expect_rc "not a capture" 2 $?
grep -q "notcap.pcap" "$tmp/err1" && [ "$(wc -l < "$tmp/err1")" = 1 ] && ok "one error line naming the file" || { bad "error line"; cat "$tmp/err1"; }
: > "$tmp/empty.pcap"
"$ph" logs -q "$tmp/empty.pcap" -o "$tmp/bad2" 2>/dev/null; expect_rc "empty file" 2 $?
"$ph" logs -q "$tmp/missing.pcap" -o "$tmp/bad3" 2>"$tmp/err3"; expect_rc "missing file" 2 $?
size=$(stat -c %s "$tmp/s.pcap")
head -c $((size - 100)) "$tmp/s.pcap" > "$tmp/cut.pcap"
"$ph" logs -q "$tmp/cut.pcap" -o "$tmp/cut" 2>"$tmp/err4"; expect_rc "truncated last packet" 4 $?
grep -qE "cut.pcap: .*packet [0-9]+" "$tmp/err4" && ok "truncation names the packet" || { bad "truncation message"; cat "$tmp/err4"; }
[ "$(wc -l < "$tmp/cut/conn.log")" -gt 50 ] && ok "results kept before the truncated tail" || bad "no results for truncated file"
"$ph" logs -q "$tmp/s.pcap" "$tmp/notcap.pcap" -o "$tmp/mixed" 2>/dev/null; expect_rc "one good one bad file" 4 $?
"$ph" logs -q "$tmp/s.pcap" -o /dev/null/sub 2>"$tmp/err5"; expect_rc "unwritable output" 5 $?

# --- PCAPdroid per-packet trailer: each connection carries its app -------
python3 "$(dirname "$0")/pcapdroid_trailer.py" "$tmp/s.pcap" "$tmp/pd.pcap"
"$ph" logs -q "$tmp/pd.pcap" -o "$tmp/pd"; expect_rc "pcapdroid capture" 0 $?
python3 - "$tmp/pd/conn.log" "$tmp/json/conn.log" <<'PY' && ok "pcapdroid app per connection" || bad "pcapdroid app per connection"
import json, sys
pd = [json.loads(l) for l in open(sys.argv[1])]
plain = [json.loads(l) for l in open(sys.argv[2])]
key = lambda r: (r["uid"], r.get("orig_pkts"), r.get("resp_pkts"), r.get("orig_ip_bytes"), r.get("history"))
assert [key(r) for r in pd] == [key(r) for r in plain], "trailer changed the flows"
fb = [r for r in pd if r["id.resp_h"].startswith("157.240.")]
assert fb and all(r.get("app") == "com.facebook.katana" and r.get("app_uid") == 10123 for r in fb), fb[:2]
v4 = [r for r in pd if "." in r["id.orig_h"] and not r["id.resp_h"].startswith("157.240.")]
assert all(r.get("app") == "com.example.weather" for r in v4), [r for r in v4 if r.get("app") != "com.example.weather"][:2]
PY

# --- module selection --------------------------------------------------
"$ph" logs -q -m none "$tmp/s.pcap" -o "$tmp/none"; expect_rc "--modules none" 0 $?
[ "$(ls "$tmp/none")" = "conn.log" ] && ok "--modules none writes conn.log only" || bad "--modules none wrote $(ls "$tmp/none")"
"$ph" logs -q -m dns,dns_log "$tmp/s.pcap" -o "$tmp/dnsonly"; expect_rc "--modules dns,dns_log" 0 $?
[ "$(ls "$tmp/dnsonly" | tr '\n' ' ')" = "conn.log dns.log " ] && ok "only the chosen logs" || bad "chosen logs: $(ls "$tmp/dnsonly")"
"$ph" logs -q -m nosuch "$tmp/s.pcap" -o "$tmp/nosuch" 2>"$tmp/err6"; expect_rc "unknown module" 3 $?
grep -q "unknown module 'nosuch'" "$tmp/err6" && ok "unknown module named" || bad "unknown module message"
for l in dns ssl x509 quic http dhcp ndpi; do
  [ -s "$tmp/json/$l.log" ] && ok "sample has $l.log" || bad "sample lacks $l.log"
done

# --- no empty logs: a log exists only when it has a line -----------------
if command -v editcap >/dev/null; then
  editcap -r "$tmp/s.pcap" "$tmp/first.pcap" 1-6 >/dev/null 2>&1
  "$ph" logs -q "$tmp/first.pcap" -o "$tmp/first"; expect_rc "first packets only" 0 $?
  empty=$(find "$tmp/first" -name '*.log' -empty | wc -l)
  [ "$empty" = 0 ] && ok "no empty log files ($(ls "$tmp/first" | tr '\n' ' '))" || bad "$empty empty log files: $(ls -la "$tmp/first")"
fi

# --- bounded flow table: evicted flows are still logged -----------------
"$ph" logs -q --max-flows 16 "$tmp/s.pcap" -o "$tmp/small"; expect_rc "tiny flow table" 0 $?
n_small=$(wc -l < "$tmp/small/conn.log")
[ "$n_small" -ge "$n_json" ] && ok "evicted flows logged ($n_small >= $n_json)" || bad "evicted flows lost ($n_small < $n_json)"

echo "$passes passed, $fails failed"
[ "$fails" = 0 ]
