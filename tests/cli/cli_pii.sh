#!/usr/bin/env bash
# End-to-end checks of the pii detection as a user runs it: a crafted
# capture (written here with Python's standard library) where the device
# sends its IMEI in a URL parameter, the MD5 of its e-mail address in a
# header, its position in a JSON body and an IMEI-shaped number that fails
# Luhn; then `peephole check --json --detections pii` with --identifiers
# FILE, with the same values as flags, with --show-secrets, without any
# identifier (generic detectors) and with pii.generic=0. The raw values
# must never appear in any output unless --show-secrets is given.
set -u
bin=${PH_BINDIR:?}
ph=$bin/peephole
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0
export XDG_CACHE_HOME=$tmp/nocache

ok() { passes=$((passes + 1)); echo "ok   $1"; }
bad() { fails=$((fails + 1)); echo "FAIL $1"; }
expect_rc() { # name expected actual
  if [ "$2" = "$3" ]; then ok "$1 (exit $3)"; else bad "$1: exit $3, expected $2"; fi
}

cap=$tmp/pii.pcap
python3 - "$cap" <<'PY' || { echo "capture writer failed"; exit 1; }
import hashlib, struct, sys
out = open(sys.argv[1], "wb")
out.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
dev, srv = bytes([192, 168, 1, 23]), bytes([203, 0, 113, 9])
mac_d, mac_g = bytes.fromhex("021122334455"), bytes.fromhex("02aabbccddee")
t = [1700000000.0]
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
def pkt(src, dst, sp, dp, seq, ack, flags, data=b""):
    tcp = struct.pack("!HHIIBBHHH", sp, dp, seq, ack, 5 << 4, flags, 65535, 0, 0)
    ph = src + dst + struct.pack("!BBH", 0, 6, len(tcp) + len(data))
    c = csum(ph + tcp + data)
    tcp = tcp[:16] + struct.pack("!H", c) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(data), 1, 0,
                     64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    frm = (mac_g + mac_d if src == dev else mac_d + mac_g) + b"\x08\x00" + ip + tcp + data
    t[0] += 0.001
    sec = int(t[0]); usec = int((t[0] - sec) * 1e6)
    out.write(struct.pack("<IIII", sec, usec, len(frm), len(frm)) + frm)
def conn(sport, req):
    a, b = 1000, 5000
    pkt(dev, srv, sport, 80, a, 0, 0x02); a += 1
    pkt(srv, dev, 80, sport, b, a, 0x12); b += 1
    pkt(dev, srv, sport, 80, a, b, 0x10)
    pkt(dev, srv, sport, 80, a, b, 0x18, req); a += len(req)
    rep = b"HTTP/1.1 204 No Content\r\n\r\n"
    pkt(srv, dev, 80, sport, b, a, 0x18, rep); b += len(rep)
    pkt(dev, srv, sport, 80, a, b, 0x11); a += 1
    pkt(srv, dev, 80, sport, b, a, 0x11); b += 1
    pkt(dev, srv, sport, 80, a, b, 0x10)
md5 = hashlib.md5(b"jane.doe@example.org").hexdigest()
conn(40001, b"GET /v1/t?imei=490154203237518&x=1 HTTP/1.1\r\nHost: track.example.com\r\n\r\n")
conn(40002, ("GET /p HTTP/1.1\r\nHost: ads.example.net\r\nX-Uid: %s\r\n\r\n" % md5).encode())
body = b'{"lat":48.85702,"lon":2.35190,"serial":"490154203237517"}'
conn(40003, b"POST /geo HTTP/1.1\r\nHost: geo.example.org\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
PY

ids=$tmp/ids.txt
printf '%s\n' '# my phone' 'imei=490154203237518' 'email=Jane.Doe@Example.org' \
  'location=48.8566,2.3522,300' >"$ids"

# check NAME RC PY-ASSERTIONS ARGS...: `peephole check --json --detections
# pii ARGS`, exit RC, Python assertions on r (report) and F (findings);
# the raw values must not be in stdout/stderr unless SHOW is set.
check() {
  local name=$1 want=$2 py=$3 rc
  shift 3
  "$ph" check -q --json --no-cache --detections pii "$@" "$cap" \
    >"$tmp/out.json" 2>"$tmp/err"
  rc=$?
  expect_rc "$name" "$want" $rc
  python3 - "$tmp/out.json" "$py" <<'PY' && ok "$name: report" || { bad "$name: report"; head -c 2000 "$tmp/out.json"; cat "$tmp/err"; }
import json, sys
r = json.load(open(sys.argv[1]))
F = r["findings"]
def get(id, field=None):
    h = [f for f in F if f["id"] == id and (field is None or f["field"] == field)]
    return h[0] if h else None
exec(sys.argv[2])
PY
  if [ -z "${SHOW:-}" ]; then
    if grep -q -e 490154203237518 -e 48.85702 -i -e jane.doe@ "$tmp/out.json" "$tmp/err"; then
      bad "$name: a raw identifier in the output"
    else
      ok "$name: identifiers masked"
    fi
  fi
}

check "identifiers file" 1 '
# an identifier leak is an exposure, not a sign of compromise (docs/check.md)
assert r["verdict"]["label"] == "SUSPICIOUS", r["verdict"]
d = get("pii.identifier", "http.uri:imei")
assert d and d["name"] == "track.example.com" and d["severity"] == "high", d
assert d["confidence"] == "high" and d["remote_port"] == 80, d
d = get("pii.identifier", "http.header:X-Uid")
assert d and "MD5" in d["title"] and "e-mail" in d["title"], d
d = get("pii.location", "json:lat")
assert d and d["name"] == "geo.example.org", d
assert not get("pii.generic_imei"), "Luhn failure reported"
assert "keylog" in d["explain"], d["explain"]' --identifiers "$ids"

check "flags" 1 '
assert get("pii.identifier", "http.uri:imei")
assert get("pii.location", "json:lat")
assert not get("pii.identifier", "http.header:X-Uid")' \
  --imei 490154203237518 --location 48.8566,2.3522,300

SHOW=1 check "show secrets" 1 '
d = get("pii.identifier", "http.uri:imei")
assert d and d["matched"] == "490154203237518", d' --identifiers "$ids" --show-secrets

check "far location, generic only" 1 '
assert not get("pii.location"), F
d = get("pii.generic_imei", "http.uri:imei")
assert d and d["severity"] == "medium" and d["confidence"] == "low", d
assert get("pii.generic_location", "json:lat")
assert len([f for f in F if f["id"] == "pii.generic_imei"]) == 1' \
  --location 45.7640,4.8357,1000

check "generic off, no identifiers" 0 '
assert not [f for f in F if f["id"].startswith("pii.")], F' --set pii.generic=0

"$ph" check --no-cache --detections pii --identifiers "$ids" "$cap" >"$tmp/out.txt" 2>&1
grep -q "IMEI sent in cleartext" "$tmp/out.txt" && ok "text report names the leak" || bad "text report names the leak"
if grep -q -e 490154203237518 -e 48.85702 -i -e jane.doe@ "$tmp/out.txt"; then
  bad "text report: a raw identifier"
else
  ok "text report: identifiers masked"
fi

"$ph" check -q --json --detections pii --imei 12345 "$cap" >/dev/null 2>"$tmp/err"
expect_rc "bad --imei" 2 $?
grep -q -- "--imei" "$tmp/err" && ! grep -q 12345 "$tmp/err" && ok "bad --imei: flag named, value not printed" || bad "bad --imei message"

echo "cli_pii: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
