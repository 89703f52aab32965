#!/usr/bin/env bash
# End-to-end check of `peephole check --html` on the phgen sample capture
# with one indicator that matches: the file is written (atomically: no
# temporary file left), stays under 5 MB, loads nothing from outside and
# names every finding of the JSON report; an unwritable --html is exit 5.
# Then, when Chromium is installed, the page is opened headless: the DOM
# (with JavaScript) must show the verdict, every finding id, the charts
# and the script's filter box; with JavaScript disabled (html_nojs.py,
# through the DevTools protocol: --blink-settings=scriptEnabled=false
# makes headless --dump-dom print nothing) the same content must be there
# without the filter box, proving scripts did not run; and 1280x2000
# screenshots are taken (kept as $PH_HTML_SHOT and $PH_HTML_SHOT.nojs.png
# when set).
# Without Chromium the browser part prints SKIP.
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
finish() {
  echo "html_report: $passes passed, $fails failed"
  [ "$fails" -eq 0 ]
  exit $?
}

if ! "$ph" check --help | grep -q -- "--html"; then
  echo "SKIP html_report: this peephole check has no --html"
  exit 0
fi
"$gen" --seed 7 --minutes 10 -o "$tmp/s.pcap" || { echo "phgen failed"; exit 1; }
printf 'telemetry.oldsdk.example\n' >"$tmp/ioc.txt"
mkdir "$tmp/out"

"$ph" check -q --json --ioc "$tmp/ioc.txt" --html "$tmp/out/r.html" \
  "$tmp/s.pcap" >"$tmp/r.json" 2>"$tmp/err"
rc=$?
[ "$rc" = 1 ] && ok "check --html (exit 1: findings)" || { bad "check --html: exit $rc"; cat "$tmp/err"; }
[ -s "$tmp/out/r.html" ] && ok "report written" || bad "report written"
[ "$(ls "$tmp/out" | wc -l)" = 1 ] && ok "no temporary file left" || bad "files left: $(ls "$tmp/out")"
size=$(stat -c %s "$tmp/out/r.html" 2>/dev/null || echo 0)
[ "$size" -lt 5000000 ] && ok "size $size bytes < 5 MB" || bad "size $size"

# static checks of the page against the JSON report
python3 - "$tmp/out/r.html" "$tmp/r.json" <<'PY' && ok "page: verdict, finding ids, self-contained" || bad "page content"
import json, re, sys
h = open(sys.argv[1], encoding="utf-8").read()
r = json.load(open(sys.argv[2]))
ok = True
def need(cond, what):
    global ok
    if not cond:
        print("  missing:", what); ok = False
need('data-verdict="%s"' % r["verdict"]["label"] in h, "verdict " + r["verdict"]["label"])
for f in r["findings"]:
    need('data-finding-id="%s"' % f["id"] in h, "finding " + f["id"])
need(any(f["id"] == "ioc.domain" for f in r["findings"]), "the indicator's finding")
for bad in ("src=", "<link", "url(", "@import", 'href="http', "href='http",
            "action=", "<iframe", "<object", "<embed"):
    need(bad not in h, "no " + bad)
need(len(re.findall(r"<script", h)) == 1, "one inline script")
sys.exit(0 if ok else 1)
PY

"$ph" check -q --html "$tmp/nodir/r.html" "$tmp/s.pcap" >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" = 5 ] && ok "unwritable --html: exit 5" || bad "unwritable --html: exit $rc"
grep -q "nodir" "$tmp/err" && ok "unwritable --html named" || bad "unwritable --html named: $(cat "$tmp/err")"

browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  echo "SKIP browser checks: chromium not installed"
  finish
fi
chrome() { # ARGS...: headless Chromium with a private profile
  timeout 120 "$browser" --headless --no-sandbox --disable-gpu \
    --user-data-dir="$tmp/profile" --no-first-run "$@" 2>>"$tmp/chrome.log"
}
url="file://$tmp/out/r.html"

# dom_check FILE JS(0/1): the DOM Chromium built
dom_check() {
  python3 - "$1" "$tmp/r.json" "$2" <<'PY'
import json, sys
d = open(sys.argv[1], encoding="utf-8").read()
r = json.load(open(sys.argv[2]))
js = sys.argv[3] == "1"
ok = True
def need(cond, what):
    global ok
    if not cond:
        print("  missing:", what); ok = False
need('id="verdict"' in d and r["verdict"]["label"] in d, "verdict banner")
for f in r["findings"]:
    need('data-finding-id="%s"' % f["id"] in d, "finding " + f["id"])
for el in ('<svg id="timeline"', '<svg id="volume"', '<table id="dests"'):
    need(el in d, el)
need(d.count("<path") >= 1, "timeline ticks")
need(('id="filter"' in d) == js, "filter box only with JavaScript")
sys.exit(0 if ok else 1)
PY
}
chrome --dump-dom "$url" >"$tmp/dom.html"
dom_check "$tmp/dom.html" 1 && ok "browser DOM with JavaScript" || bad "browser DOM with JavaScript"
timeout 120 python3 "$(dirname "$0")/html_nojs.py" "$browser" "$tmp/profile2" "$url" \
  --screenshot "$tmp/shot-nojs.png" >"$tmp/dom-nojs.html" 2>>"$tmp/chrome.log"
dom_check "$tmp/dom-nojs.html" 0 && ok "browser DOM without JavaScript" || { bad "browser DOM without JavaScript"; tail -5 "$tmp/chrome.log"; }
png_ok() { # FILE: a PNG of more than 20 kB (not a blank page)
  [ "$(head -c 8 "$1" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] &&
    [ "$(stat -c %s "$1")" -gt 20000 ]
}
png_ok "$tmp/shot-nojs.png" && ok "screenshot without JavaScript" || bad "screenshot without JavaScript"
chrome --screenshot="$tmp/shot.png" --window-size=1280,2000 "$url" >/dev/null
if png_ok "$tmp/shot.png"; then
  ok "screenshot ($(stat -c %s "$tmp/shot.png") bytes)"
else
  bad "screenshot"; tail -5 "$tmp/chrome.log"
fi
if [ -n "${PH_HTML_SHOT:-}" ]; then
  cp "$tmp/shot.png" "$PH_HTML_SHOT"
  cp "$tmp/shot-nojs.png" "$PH_HTML_SHOT.nojs.png" 2>/dev/null
fi
finish
