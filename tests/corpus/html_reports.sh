#!/usr/bin/env bash
# Corpus check of the HTML report (skips, exit 77, without the corpus):
# `peephole check --html` on every capture in ../shared/corpus/pcap/ndpi
# must exit 0, 1 or 4 (never crash or fail to write), produce a page under
# 5 MB that parses as HTML with every element closed, refers to nothing
# outside itself (no src/href to another host, no @import/url() to one),
# and carries the verdict and every finding id of the JSON report of the
# same run. Prints "TOTAL html_reports: ..." with the largest page.
here=$(cd "$(dirname "$0")" && pwd)
src=${PH_SRCDIR:-$here/../..}
corpus=${PH_CORPUS:-$src/../shared/corpus/pcap}
ph=${PH_PEEPHOLE:-$PH_BINDIR/peephole}
if [ ! -d "$corpus/ndpi" ]; then
  echo "SKIP: no corpus at $corpus/ndpi (set PH_CORPUS)"; exit 77
fi
command -v python3 >/dev/null || { echo "SKIP: python3 not installed"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_CACHE_HOME=$tmp/cache

python3 - "$ph" "$corpus/ndpi" "$tmp" <<'PY'
import glob, html.parser, json, os, re, subprocess, sys
ph, corpus, tmp = sys.argv[1:4]
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
        "meta", "source", "track", "wbr"}

class Check(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.errors, self.text = [], [], []
    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ("src", "href", "action", "xlink:href") and v and \
               re.match(r"(?i)\s*(https?:)?//", v):
                self.errors.append("external %s=%s" % (k, v[:60]))
        if tag not in VOID:
            self.stack.append(tag)
    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append("unbalanced </%s> (open: %s)" %
                               (tag, self.stack[-3:]))
            if tag in self.stack:
                while self.stack and self.stack.pop() != tag:
                    pass
        else:
            self.stack.pop()
    def handle_data(self, d):
        self.text.append(d)

caps = sorted(glob.glob(os.path.join(corpus, "*.pcap*")))
fails, biggest, total = 0, (0, ""), 0
for cap in caps:
    name = os.path.basename(cap)
    page = os.path.join(tmp, "r.html")
    r = subprocess.run([ph, "check", "-q", "--no-cache", "--json", "--html",
                        page, cap], capture_output=True, text=True)
    if r.returncode not in (0, 1, 4) or not os.path.exists(page):
        print("FAIL %s: exit %d: %s" % (name, r.returncode, r.stderr.strip()[:200]))
        fails += 1
        continue
    size = os.path.getsize(page)
    total += size
    biggest = max(biggest, (size, name))
    body = open(page, encoding="utf-8").read()
    p = Check()
    p.feed(body)
    p.close()
    errs = list(p.errors)
    if p.stack:
        errs.append("unclosed %s" % p.stack[-3:])
    if re.search(r"(?i)@import|url\(\s*['\"]?(https?:)?//", body):
        errs.append("external CSS reference")
    if size >= 5 * 1024 * 1024:
        errs.append("%d bytes (limit 5 MB)" % size)
    rep = json.loads(r.stdout)
    text = " ".join(p.text)
    if rep["verdict"]["label"] not in text:
        errs.append("verdict %r not on the page" % rep["verdict"]["label"])
    for f in rep["findings"]:
        if f["id"] not in body:
            errs.append("finding id %s not on the page" % f["id"])
            break
    os.unlink(page)
    if errs:
        print("FAIL %s: %s" % (name, "; ".join(errs[:3])))
        fails += 1
print("TOTAL html_reports: %d captures, %d pages valid, %d failed; largest "
      "%d bytes (%s), %d bytes in all" % (len(caps), len(caps) - fails, fails,
                                          biggest[0], biggest[1], total))
sys.exit(1 if fails or not caps else 0)
PY
