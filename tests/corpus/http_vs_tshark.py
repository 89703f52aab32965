#!/usr/bin/env python3
"""Compares peephole's http.log with tshark's HTTP request dissection.

For every capture under CORPUS (recursively), the set of (method, host,
URI) tuples of HTTP requests over TCP that `tshark -Y http.request` prints
must equal the set taken from peephole's http.log. tshark prints the raw
request URI, while http.log holds it unescaped (Zeek's unescape_URI), so
tshark's URI is unescaped the same way before comparing; strings are then
rendered with Zeek's escaping on both sides. HTTP over UDP (SSDP) is left
out: Zeek's and peephole's HTTP analysers are TCP-only. Justified
differences are listed in http_vs_tshark.known, one per line:
    capture glob | missing or extra or * | tuple as printed or * | reason
(fields separated by " | ", a pipe with a blank on each side)
("missing": tshark has it, peephole not; "extra": the reverse). Anything
else fails the test.

Usage: http_vs_tshark.py PEEPHOLE CORPUS_DIR KNOWN_FILE
"""
import fnmatch
import json
import os
import re
import subprocess
import sys
import tempfile

CAPTURE_EXT = (".pcap", ".pcapng", ".cap", ".pcap.gz", ".pcapng.gz", ".dmp")
AGG = "\x1f"


def run(cmd):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def zeek_unescape(b):
    """Zeek's unescape_URI (src/analyzer/protocol/http/HTTP.cc) on bytes."""
    out, i, n = bytearray(), 0, len(b)
    hx = b"0123456789abcdefABCDEF"

    def h2(j):
        return j + 1 < n and b[j] in hx and b[j + 1] in hx
    while i < n:
        if b[i] != 0x25:
            out.append(b[i])
            i += 1
            continue
        left = n - i - 1
        if left == 0:
            out.append(0x25)
            break
        if left == 1:
            out += b[i:i + 2]
            break
        if b[i + 1] == 0x25:
            i += 1
        elif h2(i + 1):
            out.append(int(b[i + 1:i + 3], 16))
            i += 3
        elif left >= 5 and b[i + 1] == 0x75 and h2(i + 2) and h2(i + 4):
            if b[i + 2:i + 4] != b"00":
                out.append(int(b[i + 2:i + 4], 16))
            out.append(int(b[i + 4:i + 6], 16))
            i += 6
        else:
            out += b[i:i + 2]
            i += 2
    return bytes(out)


def zeek_str(b):
    """Bytes as a JSON-decoded Zeek string: kept when clean UTF-8 without
    control characters, else non-printable bytes become \\xNN."""
    try:
        s = b.decode("utf-8")
        if not any(ord(c) < 0x20 and c not in "\b\f\n\r\t" or
                   0x7f <= ord(c) < 0xa0 for c in s):
            return s
    except UnicodeDecodeError:
        pass
    return "".join(chr(c) if 0x20 <= c < 0x7f or c in b"\b\f\n\r\t"
                   else "\\x%02x" % c for c in b)


TSHARK_ESC = re.compile(rb"\\x([0-9a-fA-F]{2})")


def tshark_bytes(s):
    """tshark -T fields prints non-printable bytes as \\xNN (and a
    backslash as itself): undo the former."""
    return TSHARK_ESC.sub(lambda m: bytes([int(m.group(1), 16)]), s)


def tshark_tuples(path):
    out = run(["tshark", "-n", "-r", path, "-Y", "http.request && tcp",
               "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=" + AGG,
               "-e", "http.request.method", "-e", "http.host",
               "-e", "http.request.uri"]).stdout
    tuples = set()
    for line in out.split(b"\n"):
        if not line:
            continue
        col = line.split(b"\t")
        if len(col) < 3:
            continue
        ms, hs, us = (c.split(AGG.encode()) for c in col[:3])
        for i, m in enumerate(ms):
            h = hs[i] if i < len(hs) else b""
            u = us[i] if i < len(us) else b""
            tuples.add((zeek_str(tshark_bytes(m)),
                        zeek_str(tshark_bytes(h)) if h else "-",
                        zeek_str(zeek_unescape(tshark_bytes(u)))))
    return tuples


def peephole_tuples(peephole, path, outdir):
    r = run([peephole, "logs", "-q", path, "-o", outdir])
    log = os.path.join(outdir, "http.log")
    if not os.path.exists(log):
        return (None if r.returncode else set()), r
    tuples = set()
    with open(log, encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            rec = json.loads(line)
            if "method" not in rec:
                continue  # a reply without a request
            tuples.add((rec["method"], rec.get("host", "-"), rec.get("uri", "")))
    return tuples, r


def load_known(path):
    known = []
    if path and os.path.exists(path):
        for line in open(path):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = [p.strip() for p in line.split(" | ", 3)]
            if len(parts) >= 4:
                known.append(parts)
    return known


def is_known(known, rel, kind, txt):
    for pat, k, tup, reason in known:
        if fnmatch.fnmatch(rel, pat) and k in ("*", kind) and \
                (tup == "*" or tup == txt):
            return reason
    return None


def fmt(t):
    return "%s %s %s" % t


def compare_file(peephole, corpus, path, known):
    rel = os.path.relpath(path, corpus)
    theirs = tshark_tuples(path)
    with tempfile.TemporaryDirectory() as td:
        ours, r = peephole_tuples(peephole, path, td)
    if ours is None:
        reason = is_known(known, rel, "missing", "*")
        return len(theirs), 0, (0 if reason else len(theirs) or 1), [
            "peephole failed (exit %d): %s" % (r.returncode, r.stderr.decode(errors="replace").strip()[:200])]
    bad, notes = 0, []
    diffs = [("missing", t) for t in sorted(theirs - ours)] + \
            [("extra", t) for t in sorted(ours - theirs)]
    for kind, t in diffs:
        reason = is_known(known, rel, kind, fmt(t))
        if reason:
            notes.append("known %s: %s (%s)" % (kind, fmt(t)[:150], reason))
        else:
            bad += 1
            notes.append("MISMATCH %s: %s" % (kind, fmt(t)[:150]))
    return len(theirs | ours), len(theirs & ours), bad, notes


def main():
    peephole, corpus, known_file = sys.argv[1], sys.argv[2], sys.argv[3]
    known = load_known(known_file)
    files = []
    for root, _, names in os.walk(corpus):
        for n in names:
            if n.lower().endswith(CAPTURE_EXT):
                files.append(os.path.join(root, n))
    files.sort()
    tot = tot_ok = tot_bad = with_http = 0
    print("%-62s %6s %6s %6s" % ("capture", "tuples", "agree", "mismatch"))
    for path in files:
        n, ok, bad, notes = compare_file(peephole, corpus, path, known)
        tot, tot_ok, tot_bad = tot + n, tot_ok + ok, tot_bad + bad
        if n == 0 and not notes:
            continue
        with_http += 1
        print("%-62s %6d %6d %6d" % (os.path.relpath(path, corpus)[-62:], n, ok, bad))
        for note in notes[:10]:
            print("    " + note)
        if len(notes) > 10:
            print("    ... %d more" % (len(notes) - 10))
    print("TOTAL: %d captures (%d with HTTP requests), %d distinct (method, host, "
          "URI) tuples, %d agree, %d known differences, %d mismatches" %
          (len(files), with_http, tot, tot_ok, tot - tot_ok - tot_bad, tot_bad))
    return 1 if tot_bad else 0


if __name__ == "__main__":
    sys.exit(main())
