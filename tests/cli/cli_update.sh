#!/usr/bin/env bash
# End-to-end checks of `peephole update` without the internet: a local
# python3 http.server serves a crafted MVT index, STIX2 bundles and a
# stalkerware ioc.yaml. Checks files and manifest (URL, SHA-256), that a
# 404 keeps the previous copy (exit 4), file:// URLs, an HTTPS server with
# a self-signed certificate refused without PEEPHOLE_CA_FILE and accepted
# with it, the XDG default directory, and the exit codes 2, 3 and 5.
set -u
bin=${PH_BINDIR:?}
ph=$bin/peephole
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
fails=0 passes=0
ok() { passes=$((passes + 1)); echo "ok   $1"; }
bad() { fails=$((fails + 1)); echo "FAIL $1"; }
expect_rc() { # name expected actual
  if [ "$2" = "$3" ]; then ok "$1 (exit $3)"; else bad "$1: exit $3, expected $2"; fi
}
command -v python3 >/dev/null || { echo "python3 missing"; exit 77; }
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
unset PEEPHOLE_CACHE_DIR PEEPHOLE_CA_FILE XDG_CACHE_HOME
export no_proxy='*' HOME=$tmp/home
mkdir -p "$HOME"

# --- served files ---------------------------------------------------------
srv=$tmp/srv
mkdir -p "$srv/stix" "$srv/echap"
stix() { # domain
  printf '{"type": "bundle", "id": "bundle--5d0092c5-5f74-4be8-9d9c-ad9b1b5f6d6b", "objects": [
 {"type": "malware", "id": "malware--1e2f6b5e-0d5a-4c2c-8a40-2b4f1c9c7b01", "name": "Testware", "is_family": true},
 {"type": "indicator", "id": "indicator--7c2a1b9e-3f4d-4b5a-9c8d-1e2f3a4b5c6d", "pattern_type": "stix",
  "pattern": "[domain-name:value = '"'"'%s'"'"']", "valid_from": "2024-01-01T00:00:00Z"}]}\n' "$1"
}
stix evil-a.example > "$srv/stix/a.stix2"
stix evil-b.example > "$srv/stix/b.stix2"
cat > "$srv/echap/ioc.yaml" <<'EOF'
- name: Testware
  type: stalkerware
  packages:
  - com.example.testware
  c2:
    domains:
    - c2.testware.example
EOF

# python3 server on a free port; writes the port to $2
serve() { # dir portfile [certfile keyfile]
  python3 - "$@" <<'PY' 2>/dev/null &
import functools, http.server, ssl, sys
d, portfile = sys.argv[1], sys.argv[2]
class H(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                    functools.partial(H, directory=d))
if len(sys.argv) > 4:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(sys.argv[3], sys.argv[4])
    s.socket = ctx.wrap_socket(s.socket, server_side=True)
open(portfile + ".tmp", "w").write(str(s.server_address[1]))
import os; os.rename(portfile + ".tmp", portfile)
s.serve_forever()
PY
  pids+=($!)
  for _ in $(seq 100); do [ -s "$2" ] && return 0; sleep 0.1; done
  echo "server did not start"; exit 1
}
serve "$srv" "$tmp/port"
base=http://127.0.0.1:$(cat "$tmp/port")
cat > "$srv/index.yaml" <<EOF
indicators:
  - type: download
    name: Test campaign A
    sources: [Test Lab]
    download_url: $base/stix/a.stix2
  - type: download
    name: Test campaign B
    download_url: $base/stix/b.stix2
EOF
cache=$tmp/cache
run() { "$ph" update --cache-dir "$cache" --no-defaults --index "$base/index.yaml" \
          --feed "$base/echap/ioc.yaml" --timeout 20 "$@"; }

manifest_has() { # file url -> checks entry and sha256 of the cached file
  python3 - "$cache" "$1" "$2" <<'PY'
import hashlib, json, sys
cache, name, url = sys.argv[1:]
m = json.load(open(cache + "/manifest.json"))
e = [f for f in m["files"] if f["file"] == name]
assert len(e) == 1, (name, m)
e = e[0]
assert e["url"] == url, e
data = open(cache + "/" + name, "rb").read()
assert e["sha256"] == hashlib.sha256(data).hexdigest(), e
assert e["bytes"] == len(data), e
assert e["fetched"].endswith("Z") and "T" in e["fetched"], e
PY
}

# --- usage ----------------------------------------------------------------
"$ph" update --help | grep -q -- "--no-defaults"; expect_rc "update --help" 0 $?
"$ph" --help | grep -q "update"; expect_rc "--help lists update" 0 $?
"$ph" update --frobnicate 2>/dev/null; expect_rc "bad option" 3 $?
"$ph" update --timeout 0 --cache-dir "$cache" 2>/dev/null; expect_rc "bad timeout" 3 $?
"$ph" update --no-defaults --cache-dir "$cache" 2>/dev/null; expect_rc "nothing to do" 3 $?
"$ph" update --cache-dir "$cache" stray 2>/dev/null; expect_rc "stray argument" 3 $?

# --- first run: everything lands ------------------------------------------
run 2>"$tmp/err1"; expect_rc "first update" 0 $?
[ "$(grep -c updated "$tmp/err1")" -ge 4 ] && ok "progress lines" || { bad "progress lines"; cat "$tmp/err1"; }
manifest_has stix_a.stix2 "$base/stix/a.stix2" && ok "a.stix2 cached with sha256" || bad "a.stix2 manifest"
manifest_has stix_b.stix2 "$base/stix/b.stix2" && ok "b.stix2 cached with sha256" || bad "b.stix2 manifest"
manifest_has ioc.yaml "$base/echap/ioc.yaml" && ok "ioc.yaml cached with sha256" || bad "ioc.yaml manifest"
python3 - "$cache" <<'PY' && ok "index entry name and sources recorded" || bad "index entry metadata"
import json, sys
m = json.load(open(sys.argv[1] + "/manifest.json"))
e = {f["file"]: f for f in m["files"]}
assert e["stix_a.stix2"]["name"] == "Test campaign A", e
assert e["stix_a.stix2"]["description"] == "Test Lab", e
assert e["stix_a.stix2"]["index"].endswith("/index.yaml"), e
assert e["mvt-index.yaml"]["role"] == "index", e
PY
[ -z "$(ls -A "$cache" | grep '^\.tmp')" ] && ok "no temp files left" || bad "temp files left"
"$ph" update -q --cache-dir "$cache" --no-defaults --feed "$base/echap/ioc.yaml" 2>"$tmp/errq"
expect_rc "quiet run" 0 $?
[ ! -s "$tmp/errq" ] && ok "-q prints nothing" || bad "-q printed: $(cat "$tmp/errq")"

# --- a 404 keeps the previous copy -----------------------------------------
cp "$cache/stix_b.stix2" "$tmp/b.before"
sha_before=$(python3 -c 'import json,sys; print([f["sha256"] for f in json.load(open(sys.argv[1]))["files"] if f["file"]=="stix_b.stix2"][0])' "$cache/manifest.json")
mv "$srv/stix/b.stix2" "$srv/stix/b.gone"
stix evil-a2.example > "$srv/stix/a.stix2"
run 2>"$tmp/err2"; expect_rc "one feed 404" 4 $?
grep -q "stix/b.stix2.*404" "$tmp/err2" && ok "failure names URL and status" || { bad "failure line"; cat "$tmp/err2"; }
cmp -s "$cache/stix_b.stix2" "$tmp/b.before" && ok "previous copy kept" || bad "previous copy lost"
sha_after=$(python3 -c 'import json,sys; print([f["sha256"] for f in json.load(open(sys.argv[1]))["files"] if f["file"]=="stix_b.stix2"][0])' "$cache/manifest.json")
[ "$sha_before" = "$sha_after" ] && ok "manifest entry kept" || bad "manifest entry changed"
grep -q evil-a2 "$cache/stix_a.stix2" && manifest_has stix_a.stix2 "$base/stix/a.stix2" \
  && ok "other feed updated" || bad "a.stix2 not updated"

# --- a download that is no feed does not replace the old copy ---------------
cp "$srv/stix/a.stix2" "$tmp/a.good"
printf '\x00\x01\x02\x03binary\x00' > "$srv/echap/ioc.yaml.bin"
cp "$cache/ioc.yaml" "$tmp/ioc.before"
mv "$srv/echap/ioc.yaml" "$srv/echap/ioc.yaml.good"; cp "$srv/echap/ioc.yaml.bin" "$srv/echap/ioc.yaml"
"$ph" update -q --cache-dir "$cache" --no-defaults --feed "$base/echap/ioc.yaml" 2>"$tmp/err3"
expect_rc "garbage feed" 2 $?
cmp -s "$cache/ioc.yaml" "$tmp/ioc.before" && ok "garbage did not replace ioc.yaml" || bad "ioc.yaml replaced"
mv "$srv/echap/ioc.yaml.good" "$srv/echap/ioc.yaml"

# --- index unreachable: its cached copy still lists the feeds ----------------
mv "$srv/stix/b.gone" "$srv/stix/b.stix2"
mv "$srv/index.yaml" "$srv/index.gone"
run -q 2>"$tmp/err4"; expect_rc "index 404" 4 $?
grep -q "index.yaml" "$tmp/err4" && ok "index failure reported" || bad "index failure line"
grep -c "previous copy kept" "$tmp/err4" | grep -qx 1 && ok "only the index failed" || { bad "other failures"; cat "$tmp/err4"; }
mv "$srv/index.gone" "$srv/index.yaml"

# --- nothing reachable -------------------------------------------------------
"$ph" update -q --cache-dir "$cache" --no-defaults --feed "$base/nope.stix2" 2>/dev/null
expect_rc "nothing fetched" 2 $?
"$ph" update -q --cache-dir "$cache" --no-defaults --feed "gopher://127.0.0.1/x" 2>"$tmp/err5"
expect_rc "unsupported scheme" 2 $?
grep -q "scheme" "$tmp/err5" && ok "scheme named" || bad "scheme message: $(cat "$tmp/err5")"

# --- file:// ----------------------------------------------------------------
"$ph" update -q --cache-dir "$tmp/fcache" --no-defaults --feed "file://$srv/stix/b.stix2"
expect_rc "file:// feed" 0 $?
cmp -s "$tmp/fcache/b.stix2" "$srv/stix/b.stix2" && ok "file:// content" || bad "file:// content"
"$ph" update -q --cache-dir "$tmp/fcache" --no-defaults --feed "file://$srv/missing.stix2" 2>/dev/null
expect_rc "file:// missing" 2 $?

# --- default directories ----------------------------------------------------
XDG_CACHE_HOME=$tmp/xdg "$ph" update -q --no-defaults --feed "file://$srv/stix/a.stix2"
expect_rc "XDG default" 0 $?
[ -s "$tmp/xdg/peephole/feeds/manifest.json" ] && ok "XDG cache dir" || bad "XDG cache dir"
PEEPHOLE_CACHE_DIR=$tmp/envc "$ph" update -q --no-defaults --feed "file://$srv/stix/a.stix2"
[ -s "$tmp/envc/a.stix2" ] && ok "PEEPHOLE_CACHE_DIR" || bad "PEEPHOLE_CACHE_DIR"
"$ph" update -q --no-defaults --feed "file://$srv/stix/a.stix2"
[ -s "$HOME/.cache/peephole/feeds/a.stix2" ] && ok "HOME default" || bad "HOME default"

# --- cache not writable -------------------------------------------------------
touch "$tmp/afile"
"$ph" update -q --cache-dir "$tmp/afile/sub" --no-defaults --feed "file://$srv/stix/a.stix2" 2>/dev/null
expect_rc "cache under a file" 5 $?
if [ "$(id -u)" != 0 ]; then
  mkdir -p "$tmp/ro"; chmod 555 "$tmp/ro"
  "$ph" update -q --cache-dir "$tmp/ro" --no-defaults --feed "file://$srv/stix/a.stix2" 2>/dev/null
  expect_rc "read-only cache" 5 $?
  chmod 755 "$tmp/ro"
fi

# --- HTTPS with a self-signed certificate ------------------------------------
if openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
     -keyout "$tmp/key.pem" -out "$tmp/cert.pem" -days 2 -subj "/CN=127.0.0.1" \
     -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" 2>/dev/null; then
  serve "$srv" "$tmp/tport" "$tmp/cert.pem" "$tmp/key.pem"
  sbase=https://127.0.0.1:$(cat "$tmp/tport")
  "$ph" update --cache-dir "$tmp/tls" --no-defaults --feed "$sbase/stix/a.stix2" --timeout 10 2>"$tmp/err6"
  expect_rc "self-signed refused" 2 $?
  grep -qi "certificate" "$tmp/err6" && ok "certificate error named" || { bad "certificate message"; cat "$tmp/err6"; }
  [ ! -e "$tmp/tls/a.stix2" ] && ok "nothing cached from untrusted server" || bad "cached from untrusted server"
  PEEPHOLE_CA_FILE=$tmp/cert.pem "$ph" update -q --cache-dir "$tmp/tls" --no-defaults --feed "$sbase/stix/a.stix2" --timeout 10
  expect_rc "trusted with PEEPHOLE_CA_FILE" 0 $?
  cmp -s "$tmp/tls/a.stix2" "$srv/stix/a.stix2" && ok "https content" || bad "https content"
  # an https index may list only https feeds
  sed "s#$base#$sbase#" "$srv/index.yaml" > "$srv/sindex.yaml"
  PEEPHOLE_CA_FILE=$tmp/cert.pem "$ph" update -q --cache-dir "$tmp/tls" --no-defaults --index "$sbase/sindex.yaml" --timeout 10
  expect_rc "https index" 0 $?
  [ -s "$tmp/tls/stix_b.stix2" ] && ok "https index entries" || bad "https index entries"
else
  bad "openssl could not make a certificate"
fi

echo "$passes passed, $fails failed"
[ "$fails" = 0 ]
