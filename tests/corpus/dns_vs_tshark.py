#!/usr/bin/env python3
"""Compares the DNS names and addresses in peephole's dns.log with tshark's.

For every capture under CORPUS (recursively), runs `peephole logs` and
`tshark -T fields -e dns.qry.name -e dns.a -e dns.aaaa`, and checks that the
SET of query names and the SET of answer addresses (A/AAAA, any section)
are equal. peephole's names are dns.log's `query` plus `questions`; its
addresses are the IP-shaped strings of `answers`, `auth` and `addl`. tshark
also dissects DNS quoted inside ICMP errors and DNS inside HTTP (DoH);
those are not DNS traffic on the wire and are filtered out (TSHARK_FILTER). Names are compared in
lower case (peephole, like Zeek, lower-cases them) with tshark's "<Root>"
read as "". Differences with a reason are listed in dns_vs_tshark.known
(glob of the capture path | 'name NAME', 'addr ADDR' or '*' | reason);
anything else fails.

Usage: dns_vs_tshark.py PEEPHOLE CORPUS_DIR KNOWN_FILE
"""
import fnmatch
import ipaddress
import json
import os
import subprocess
import sys
import tempfile

CAPTURE_EXT = (".pcap", ".pcapng", ".cap", ".pcap.gz", ".pcapng.gz", ".dmp")
# tshark's DNS, mDNS and LLMNR packets (all three fill the dns.* fields),
# except DNS quoted in ICMP errors and DNS carried in HTTP (DoH), which are
# not DNS traffic on the wire.
TSHARK_FILTER = "(dns || mdns || llmnr) && !icmp && !icmpv6 && !http && !http2"


def run(cmd):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, errors="replace")


def norm_addr(s):
    try:
        return str(ipaddress.ip_address(s.strip()))
    except ValueError:
        return None


def unescape(s):
    """Zeek's JSON writes bytes that are not valid UTF-8 as \\xNN: back to
    bytes, then decoded as tshark's output is (invalid bytes -> U+FFFD)."""
    if "\\x" not in s:
        return s
    out, i = bytearray(), 0
    while i < len(s):
        if s.startswith("\\x", i) and i + 4 <= len(s):
            try:
                out.append(int(s[i + 2:i + 4], 16))
                i += 4
                continue
            except ValueError:
                pass
        out += s[i].encode()
        i += 1
    return out.decode("utf-8", errors="replace")


def norm_name(s):
    s = s.strip().lower()
    if s == "<root>":
        return ""
    # Binary labels (e.g. iodine tunnels): tshark replaces invalid UTF-8
    # with U+FFFD by its own rules, so compare their ASCII characters only.
    return "".join(c for c in s if ord(c) < 128)


def tshark_sets(path):
    out = run(["tshark", "-n", "-r", path, "-Y", TSHARK_FILTER,
               "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=\x1f",
               "-e", "dns.qry.name", "-e", "dns.a", "-e", "dns.aaaa"]).stdout
    names, addrs = set(), set()
    for line in out.splitlines():
        cols = line.split("\t")
        cols += [""] * (3 - len(cols))
        for n in cols[0].split("\x1f") if cols[0] else []:
            names.add(norm_name(n))
        for col in cols[1:3]:
            for a in col.split("\x1f") if col else []:
                a = norm_addr(a)
                if a:
                    addrs.add(a)
    return names, addrs


def peephole_sets(peephole, path, td):
    r = run([peephole, "logs", path, "-o", td])
    names, addrs = set(), set()
    log = os.path.join(td, "dns.log")
    if not os.path.exists(log):
        return names, addrs, r
    with open(log, encoding="utf-8", errors="replace") as f:
        for line in f:
            rec = json.loads(line)
            # `query` is a question name only when qtype is set (else Zeek
            # took an answer's owner name); `questions` has the others.
            if "query" in rec and "qtype" in rec:
                names.add(norm_name(unescape(rec["query"])))
            for n in rec.get("questions", []):
                names.add(norm_name(unescape(n)))
            for field in ("answers", "auth", "addl"):
                for a in rec.get(field, []):
                    a = norm_addr(a)
                    if a:
                        addrs.add(a)
    return names, addrs, r


def load_known(path):
    known = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = [p.strip() for p in line.split("|", 2)]
            if len(parts) == 3:
                known.append(parts)
    return known


def is_known(known, rel, item):
    for glob, what, reason in known:
        if fnmatch.fnmatch(rel, glob) and (what == "*" or what == item):
            return reason
    return None


def compare_file(peephole, corpus, path, known):
    rel = os.path.relpath(path, corpus)
    t_names, t_addrs = tshark_sets(path)
    with tempfile.TemporaryDirectory() as td:
        p_names, p_addrs, r = peephole_sets(peephole, path, td)
    items = [("name", x) for x in t_names | p_names] + \
            [("addr", x) for x in t_addrs | p_addrs]
    ok = bad = 0
    notes = []
    for kind, x in sorted(items):
        t = x in (t_names if kind == "name" else t_addrs)
        p = x in (p_names if kind == "name" else p_addrs)
        if t and p:
            ok += 1
            continue
        item = "%s %s" % (kind, x)
        side = "only tshark" if t else "only peephole"
        reason = is_known(known, rel, item)
        if reason:
            notes.append("known: %s: %s (%s)" % (item, side, reason))
        else:
            bad += 1
            notes.append("MISMATCH: %s: %s" % (item, side))
    if r.returncode not in (0,):
        notes.append("peephole exit %d: %s" % (r.returncode, r.stderr.strip()[-200:]))
    return len(t_names), len(t_addrs), len(items), ok, bad, notes


def main():
    peephole, corpus, known_file = sys.argv[1], sys.argv[2], sys.argv[3]
    known = load_known(known_file)
    files = []
    for root, _, names in os.walk(corpus):
        for n in names:
            if n.lower().endswith(CAPTURE_EXT):
                files.append(os.path.join(root, n))
    files.sort()
    tot = [0] * 5
    with_dns = 0
    print("%-58s %6s %6s %6s %6s %6s" % ("capture", "names", "addrs", "items",
                                         "agree", "mismatch"))
    for path in files:
        res = compare_file(peephole, corpus, path, known)
        notes = res[5]
        for i in range(5):
            tot[i] += res[i]
        if res[2]:
            with_dns += 1
        if res[2] or notes:
            print("%-58s %6d %6d %6d %6d %6d" % (
                os.path.relpath(path, corpus)[-58:], *res[:5]))
        for note in notes[:10]:
            print("    " + note)
        if len(notes) > 10:
            print("    ... %d more" % (len(notes) - 10))
    print("TOTAL: %d captures (%d with DNS), tshark %d query names and %d "
          "answer addresses; %d distinct items compared, %d agree, %d "
          "mismatches" % (len(files), with_dns, tot[0], tot[1], tot[2],
                          tot[3], tot[4]))
    return 1 if tot[4] else 0


if __name__ == "__main__":
    sys.exit(main())
