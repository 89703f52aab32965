#!/usr/bin/env bash
# Corpus check for `peephole check` (skips, exit 77, without the corpus):
# 1. Documented indicator hits: nDPI's expected results name the
#    certificate SHA-1, malware host and JA3 its blocklists flagged in
#    ../shared/corpus/pcap/ndpi (risks "Malicious SSL Cert/SHA1",
#    "Malware Host", "Malicious Fingerprint"). Those values become an
#    indicator list, and peephole check must report each one.
# 2. The real public feeds in ../shared/corpus/ioc (Amnesty, stalkerware-
#    indicators, TinyCheck with its allowlist) over every corpus capture
#    in one run: prints the hits per capture, and fails if a capture not
#    marked KNOWN-BAD in PROVENANCE.md gets an indicator finding of medium
#    severity or more (trackers, free DNS and risky TLDs are low).
# Prints agreement figures ("TOTAL ...").
here=$(cd "$(dirname "$0")" && pwd)
src=${PH_SRCDIR:-$here/../..}
corpus=${PH_CORPUS:-$src/../shared/corpus/pcap}
root=$corpus/..
ph=${PH_PEEPHOLE:-$PH_BINDIR/peephole}
if [ ! -d "$corpus/ndpi" ] || [ ! -d "$root/ioc" ] || [ ! -d "$root/expected/ndpi" ]; then
  echo "SKIP: no corpus at $corpus (pcap/ndpi, ioc/, expected/ndpi needed; set PH_CORPUS)"; exit 77
fi
command -v python3 >/dev/null || { echo "SKIP: python3 not installed"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_CACHE_HOME=$tmp/cache

python3 - "$ph" "$root" "$tmp" <<'PY'
import glob, json, os, re, subprocess, sys
ph, root, tmp = sys.argv[1:4]
fail = 0

# --- 1. documented hits from nDPI's expected results -------------------
want = []   # (capture, kind, value)
for out in sorted(glob.glob(os.path.join(root, "expected/ndpi/*.out"))):
    cap = os.path.join(root, "pcap/ndpi", os.path.basename(out)[:-4])
    if not os.path.exists(cap):
        continue
    for line in open(out, errors="replace"):
        if not re.match(r"\s+\d+\s+(TCP|UDP)", line):
            continue
        if "Malicious SSL Cert/SHA1" in line:
            m = re.search(r"Certificate SHA-1: ([0-9A-F:]+)", line)
            if m:
                want.append((cap, "x509.sha1", m.group(1).replace(":", "").lower()))
        if "Malware Host" in line:
            m = re.search(r"(TCP|UDP) \[?([0-9a-f.:]+?)\]?:\d+ <-> \[?([0-9a-f.:]+?)\]?:\d+", line)
            if m:
                want.append((cap, "conn.resp_h", m.group(3)))
        if "Malicious Fingerp" in line:
            m = re.search(r"JA3C: ([0-9a-f]{32})", line)
            if m:
                want.append((cap, "tls.ja3", m.group(1)))
found = 0
for cap, field, value in sorted(set(want)):
    lst = os.path.join(tmp, "doc.txt")
    open(lst, "w").write(value + "\n")
    p = subprocess.run([ph, "check", "-q", "--json", "--no-cache", "--ioc", lst, cap],
                       capture_output=True, text=True)
    try:
        r = json.loads(p.stdout)
    except ValueError:
        print(f"FAIL {os.path.basename(cap)}: no JSON (exit {p.returncode}): {p.stderr.strip()}")
        fail += 1
        continue
    hits = [f for f in r["findings"] if f["id"].startswith("ioc.")
            and f["matched"].lower() == value and f["field"].startswith(field.split(".")[0])]
    ok = bool(hits) and p.returncode == 1
    found += ok
    print(f"{'ok  ' if ok else 'FAIL'} {os.path.basename(cap)}: {field} {value}"
          f" -> {[(f['id'], f['field']) for f in hits]} exit {p.returncode}")
    fail += not ok
print(f"TOTAL documented indicator hits reported: {found}/{len(set(want))}")
if not want:
    print("FAIL: no documented hit found in the expected results")
    fail += 1

# --- 2. the public feeds over every capture -----------------------------
bad = set()
for line in open(os.path.join(root, "PROVENANCE.md"), errors="replace"):
    m = re.match(r"- `(pcap/[^`]+)`.*KNOWN-BAD", line)
    if m:
        bad.add(os.path.normpath(os.path.join(root, m.group(1))))
caps = sorted(p for p in glob.glob(os.path.join(root, "pcap/**/*"), recursive=True)
              if os.path.isfile(p) and re.search(r"\.(pcap|pcapng|cap)(\.gz)?$", p))
ioc = os.path.join(root, "ioc")
args = [ph, "check", "-q", "--json", "--no-cache",
        "--ioc", os.path.join(ioc, "amnesty-investigations"),
        "--ioc", os.path.join(ioc, "stalkerware-indicators"),
        "--ioc", os.path.join(ioc, "tinycheck/iocs.json"),
        "--allow", os.path.join(ioc, "tinycheck/whitelist.json")] + caps
p = subprocess.run(args, capture_output=True, text=True)
try:
    r = json.loads(p.stdout)
except ValueError:
    print(f"FAIL feeds run: no JSON (exit {p.returncode}): {p.stderr[-500:]}")
    sys.exit(1)
nind = sum(sum(s["counts"].values()) for s in r["sources"])
print(f"feeds: {len(r['sources'])} sources, {nind} indicators; "
      f"{len(caps)} captures, {r['totals']['packets']} packets, exit {p.returncode}")
files = r["files"]
per = {}
for f in r["findings"]:
    if not f["id"].startswith("ioc."):
        continue
    cap = os.path.normpath(files[f["file_index"]]["path"]) if f["file_index"] < len(files) else "?"
    per.setdefault(cap, []).append(f)
benign_high = 0
for cap, fs in sorted(per.items()):
    top = max(fs, key=lambda f: ["info", "low", "medium", "high", "critical"].index(f["severity"]))
    known = cap in bad
    print(f"  {os.path.relpath(cap, root)}: {len(fs)} ioc findings, top {top['severity']}"
          f" {top['id']} {top['field']} {top['matched']} ({top['source']})"
          f"{' [KNOWN-BAD]' if known else ''}")
    if not known and top["severity"] in ("medium", "high", "critical"):
        benign_high += 1
        print(f"FAIL {os.path.relpath(cap, root)}: {top['severity']} indicator finding on a capture not marked KNOWN-BAD")
print(f"TOTAL captures with indicator findings: {len(per)}/{len(caps)}; "
      f"benign captures with indicator findings of medium or more: {benign_high}")
fail += benign_high
sys.exit(1 if fail else 0)
PY
