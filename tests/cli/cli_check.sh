#!/usr/bin/env bash
# End-to-end checks of `peephole check` and `peephole ioc` as a user runs
# them, on the phgen sample capture with crafted indicator files: one per
# indicator type and per place a name shows up (DNS query, CNAME, SNI,
# Host, certificate SAN, QUIC SNI, endpoints, URL, certificate hash,
# JA3/JA4), allowlists, the verdict, JSON, notice.log and exit codes.
set -u
bin=${PH_BINDIR:?}
ph=$bin/peephole
gen=$bin/phgen
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0
export XDG_CACHE_HOME=$tmp/nocache # never read the user's cache

ok() { passes=$((passes + 1)); echo "ok   $1"; }
bad() { fails=$((fails + 1)); echo "FAIL $1"; }
expect_rc() { # name expected actual
  if [ "$2" = "$3" ]; then ok "$1 (exit $3)"; else bad "$1: exit $3, expected $2"; fi
}

"$gen" --seed 7 --minutes 10 -o "$tmp/s.pcap" || { echo "phgen failed"; exit 1; }
cap=$tmp/s.pcap

# check_json NAME RC PY-ASSERTIONS IOC-ARGS...: runs check --json (only
# the indicator detection, unless ALL_DETECTIONS is set), expects
# exit RC, then runs the Python assertions with `r` the parsed report and
# helpers hits(field) / ids().
check_json() {
  local name=$1 want=$2 py=$3 rc d=(--detections known_bad,devices)
  shift 3
  [ -n "${ALL_DETECTIONS:-}" ] && d=()
  "$ph" check -q --json "${d[@]}" "$@" "$cap" >"$tmp/out.json" 2>"$tmp/err"
  rc=$?
  expect_rc "$name" "$want" $rc
  python3 - "$tmp/out.json" "$py" <<'PY' && ok "$name: report" || { bad "$name: report"; head -c 1500 "$tmp/out.json"; cat "$tmp/err"; }
import json, sys
r = json.load(open(sys.argv[1]))
F = r["findings"]
def hits(field=None, id=None):
    return [f for f in F if (field is None or f["field"] == field)
            and (id is None or f["id"] == id)]
def ids():
    return sorted(set(f["id"] for f in F))
exec(sys.argv[2])
PY
}

ioc() { # FILE LINES...: writes a plain indicator list
  local f=$tmp/$1; shift
  printf '%s\n' "$@" >"$f"; echo "$f"
}

# --- usage -----------------------------------------------------------------
"$ph" check --help | grep -q -- "--ioc"; expect_rc "check --help" 0 $?
"$ph" check 2>/dev/null; expect_rc "check without capture" 3 $?
"$ph" check --color sometimes "$cap" 2>/dev/null; expect_rc "bad --color" 3 $?
"$ph" check --ioc "$tmp/missing.txt" "$cap" 2>"$tmp/err"; expect_rc "missing --ioc file" 2 $?
grep -q "missing.txt" "$tmp/err" && ok "missing --ioc named" || bad "missing --ioc named"

# --- no indicators: never a clean bill -------------------------------------
check_json "no indicators" 0 '
assert r["verdict"]["label"] == "NO SIGN OF COMPROMISE FOUND", r["verdict"]
assert any("indicator" in n for n in r["not_checked"]), r["not_checked"]
assert "clean" not in r["verdict"]["reason"].lower()
assert not [f for f in F if f["id"].startswith("ioc.")]'

# --- one indicator type / field at a time ----------------------------------
check_json "dns query (NXDOMAIN name)" 1 '
h = hits("dns.query", "ioc.domain")
assert h and h[0]["matched"] == "telemetry.oldsdk.example", h
assert h[0]["device"] == "192.168.1.23" and h[0]["uid"], h[0]' \
  --ioc "$(ioc q.txt telemetry.oldsdk.example)"

check_json "parent domain on a label boundary" 1 '
assert hits("dns.query", "ioc.domain")
assert hits("tls.sni", "ioc.domain"), ids()
assert hits("x509.subject") or hits("x509.san"), [f["field"] for f in F]' \
  --ioc "$(ioc parent.txt "# parent of sync.adsdk.example" adsdk.example)"

check_json "no match across a label boundary" 0 '
assert not hits(id="ioc.domain"), F' \
  --ioc "$(ioc nolabel.txt dsdk.example ync.adsdk.example)"

check_json "cname" 1 '
h = hits("dns.cname")
assert h and "facebook.com" in h[0]["name"] + h[0]["matched"], h' \
  --ioc "$(ioc cname.txt c10r.facebook.com)"

check_json "http host" 1 '
assert hits("http.host", "ioc.domain"), ids()' \
  --ioc "$(ioc host.txt static.news.example)"

check_json "certificate san" 1 '
assert hits("x509.san") or hits("x509.subject"), [f["field"] for f in F]' \
  --ioc "$(ioc san.txt api.weather.example)"

check_json "quic sni" 1 '
assert hits("quic.sni", "ioc.domain"), [f["field"] for f in F]' \
  --ioc "$(ioc quic.txt www.youtube.com)"

check_json "ip destination without dns" 1 '
h = hits("conn.resp_h", "ioc.ip")
assert h and h[0]["remote"] == "203.0.113.50" and h[0]["count"] >= 5, h' \
  --ioc "$(ioc ip.txt 203.0.113.50)"

check_json "cidr range" 1 '
assert hits("conn.resp_h", "ioc.ip")[0]["matched"] == "203.0.113.0/24"' \
  --ioc "$(ioc cidr.txt 203.0.113.0/24)"

check_json "inbound from a listed address" 1 '
h = hits("conn.orig_h", "ioc.ip")
assert h and h[0]["remote"] == "198.51.100.9", h' \
  --ioc "$(ioc inbound.txt 198.51.100.9)"

check_json "url" 1 '
assert hits(id="ioc.url"), ids()' \
  --ioc "$(ioc url.txt "HTTP://198.51.100.77:8080/api/v1/collect#x")"

# Certificate and TLS fingerprints come from the logs of the same capture.
"$ph" logs -q "$cap" -o "$tmp/logs"
sha1=$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
    r=json.loads(l)
    if r.get("certificate.subject","").startswith("CN=sync.adsdk.example"):
        print(r["fingerprint"]); break' "$tmp/logs/x509.log")
ja3=$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
    r=json.loads(l)
    if r.get("ja3"): print(r["ja3"]); break' "$tmp/logs/ssl.log")
ja4=$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
    r=json.loads(l)
    if r.get("ja4"): print(r["ja4"]); break' "$tmp/logs/ssl.log")
[ -n "$sha1" ] && [ -n "$ja3" ] && [ -n "$ja4" ] && ok "fingerprints from logs" || bad "fingerprints from logs: '$sha1' '$ja3' '$ja4'"
check_json "certificate sha256" 1 '
assert hits("x509.sha256", "ioc.cert"), ids()' \
  --ioc "$(ioc cert.txt "$sha1")"
check_json "ja3 and ja4" 1 '
assert hits("tls.ja3", "ioc.tls_fingerprint") and hits("tls.ja4", "ioc.tls_fingerprint"), ids()' \
  --ioc "$(ioc ja.txt "$ja3" "$ja4")"

# --- STIX with a campaign: likely compromised ------------------------------
cat >"$tmp/pegasus.stix2" <<'EOF'
{"type": "bundle", "id": "bundle--1", "objects": [
 {"type": "malware", "id": "malware--1", "name": "Pegasus", "is_family": true},
 {"type": "indicator", "id": "indicator--1", "name": "Pegasus domain",
  "pattern_type": "stix", "pattern": "[domain-name:value = 'sync.adsdk.example']"},
 {"type": "relationship", "id": "relationship--1", "relationship_type": "indicates",
  "source_ref": "indicator--1", "target_ref": "malware--1"}]}
EOF
check_json "stix campaign" 1 '
assert r["verdict"]["label"] == "LIKELY COMPROMISED", r["verdict"]
h = hits("dns.query")
assert h and h[0]["campaign"] == "Pegasus" and h[0]["severity"] in ("high", "critical"), h
assert h[0]["advice"] and h[0]["explain"] and h[0]["attack"].startswith("T1071")' \
  --ioc "$tmp/pegasus.stix2"

# --- allowlist: shown, never hides an indicator ----------------------------
printf '{"elements": [{"type": "domain", "element": "adsdk.example"}, {"type": "domain", "element": "google.com"}]}\n' >"$tmp/whitelist.json"
check_json "allowlist never hides" 1 '
h = hits("dns.query", "ioc.domain")
assert h and h[0]["allowed_by"], h
assert hits(id="allow.listed"), ids()' \
  --ioc "$tmp/pegasus.stix2" --allow "$tmp/whitelist.json"

# --- device filter -----------------------------------------------------------
check_json "device filter: other host" 0 '
assert not hits(id="ioc.domain")' --device 192.168.1.99 --ioc "$tmp/pegasus.stix2"
check_json "device filter: the phone by MAC" 1 '
assert hits(id="ioc.domain")
assert [d for d in r["devices"] if d["ip"] == "192.168.1.23"], r["devices"]' \
  --device da:a1:19:6e:2b:17 --ioc "$tmp/pegasus.stix2"
"$ph" check -q --device not-an-address "$cap" >/dev/null 2>&1; expect_rc "bad --device" 3 $?

# --- damaged input: partial results, never a clean reading ------------------
head -c 700000 "$cap" >"$tmp/cut.pcap"
"$ph" check -q --json --detections known_bad --ioc "$(ioc none.txt nothing.invalid.example)" "$tmp/cut.pcap" >"$tmp/cut.json" 2>"$tmp/cut.err"
expect_rc "truncated capture" 4 $?
grep -q "cut.pcap" "$tmp/cut.err" && ok "truncated capture named on stderr" || bad "truncated capture named on stderr"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert any("not read to its end" in n for n in r["not_checked"]), r["not_checked"]; assert "incomplete" in r["verdict"]["reason"]' "$tmp/cut.json" \
  && ok "truncated capture noted" || bad "truncated capture noted"
"$ph" check -q --json --ioc "$tmp/pegasus.stix2" "$tmp/cut.pcap" >/dev/null 2>&1
expect_rc "findings win over partial input" 1 $?

# --- every detection on the sample: what phgen planted is found -----------
ALL_DETECTIONS=1
check_json "all detections on the sample" 1 '
want = {"listener.remote_access": "198.51.100.9", "direct_ip.unresolved": "203.0.113.50",
        "dns_tunnel.tunnel": None, "bad_cert.self_signed": None, "cleartext_http": None}
got = ids()
for w in want:
    assert any(i.startswith(w) for i in got), (w, got)
assert r["verdict"]["label"] in ("LIKELY COMPROMISED", "SUSPICIOUS"), r["verdict"]
assert len(r["detections"]) >= 15, r["detections"]
bad = [f for f in F if f["severity"] in ("high", "critical") and f["id"].startswith(("exfil.", "weak_tls."))]
assert not bad, bad  # the long-lived push connection and normal TLS stay quiet'
unset ALL_DETECTIONS
"$ph" check -q --detections nosuch "$cap" >/dev/null 2>&1; expect_rc "unknown detection" 3 $?
"$ph" check -q --set listener.nosuch=1 "$cap" >/dev/null 2>&1; expect_rc "unknown option" 3 $?
"$ph" check --list-options | grep -q "^direct_ip\." && ok "--list-options" || bad "--list-options"

# --- text report, notice.log ---------------------------------------------------
"$ph" check -q --detections known_bad --ioc "$tmp/pegasus.stix2" -o "$tmp/out" "$cap" >"$tmp/text"
expect_rc "text report with -o" 1 $?
grep -q "LIKELY COMPROMISED" "$tmp/text" && ok "text verdict" || bad "text verdict"
grep -q $'\033\[' "$tmp/text" && bad "no colour when not a terminal" || ok "no colour when not a terminal"
grep -q "sync.adsdk.example" "$tmp/out/notice.log" && ok "notice.log" || bad "notice.log"
[ -s "$tmp/out/conn.log" ] && [ -s "$tmp/out/dns.log" ] && ok "zeek logs with check -o" || bad "zeek logs with check -o"

# --- ioc list / match --------------------------------------------------------------
"$ph" ioc list --ioc "$tmp/pegasus.stix2" --allow "$tmp/whitelist.json" >"$tmp/list"
expect_rc "ioc list" 0 $?
grep -q "pegasus.stix2" "$tmp/list" && grep -q "allowlist" "$tmp/list" && ok "ioc list content" || bad "ioc list content"
"$ph" ioc list --json --ioc "$tmp/pegasus.stix2" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["indicators"] == 1, d' && ok "ioc list --json" || bad "ioc list --json"
"$ph" ioc match --ioc "$tmp/pegasus.stix2" a.sync.adsdk.example >/dev/null; expect_rc "ioc match hit" 1 $?
"$ph" ioc match --ioc "$tmp/pegasus.stix2" notsync.adsdk.example >/dev/null; expect_rc "ioc match miss" 0 $?

echo "cli_check: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
