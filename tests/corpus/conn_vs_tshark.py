#!/usr/bin/env python3
"""Compares peephole's connections with tshark's conversations.

For every capture under CORPUS (recursively), runs `peephole logs` and
`tshark -z conv,tcp -z conv,udp`, and checks that every TCP/UDP conversation
tshark lists is found in conn.log with the same endpoints, and that packets
and frame bytes per direction agree. peephole splits one 5-tuple into several
connections (timeouts, FIN/RST then reuse) as Zeek does, while tshark's
conversation table keys on the 5-tuple alone, so peephole's records are
summed per 5-tuple first. Frame bytes come exactly from per-packet tshark
fields (the conversation table rounds to kB). Differences that are justified
are listed in conn_vs_tshark.known (glob of the capture path, conversation
or '*', reason); anything else fails the test.

Usage: conn_vs_tshark.py PEEPHOLE CORPUS_DIR KNOWN_FILE
"""
import fnmatch
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import defaultdict

CAPTURE_EXT = (".pcap", ".pcapng", ".cap", ".pcap.gz", ".pcapng.gz", ".dmp")


def run(cmd):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, errors="replace")


def split_endpoint(ep):
    addr, port = ep.rsplit(":", 1)
    return addr.strip("[]"), int(port)


CONV_RE = re.compile(r"^(\S+)\s+<->\s+(\S+)\s+(\d+)\s+([\d,]+)\s+(\w+)\s+"
                     r"(\d+)\s+([\d,]+)\s+(\w+)\s+")


def tshark_convs(path):
    """{(proto, (a, pa), (b, pb)): [frames b->a, frames a->b]}"""
    out = run(["tshark", "-n", "-r", path, "-q", "-z", "conv,tcp",
               "-z", "conv,udp"]).stdout
    convs, proto = {}, None
    for line in out.splitlines():
        if line.startswith("TCP Conversations"):
            proto = "tcp"
        elif line.startswith("UDP Conversations"):
            proto = "udp"
        m = CONV_RE.match(line)
        if m and proto:
            a, b = split_endpoint(m.group(1)), split_endpoint(m.group(2))
            f_ba, f_ab = int(m.group(3)), int(m.group(6))
            # tshark may list one 5-tuple several times (a new entry per TCP
            # session on a reused tuple, or per direction when a dissector
            # such as SNMP or SIP sets up its own conversation): sum them,
            # as peephole's records are summed per 5-tuple.
            if (proto, b, a) in convs:
                a, b, f_ab, f_ba = b, a, f_ba, f_ab
            e = convs.setdefault((proto, a, b), [0, 0])
            e[0] += f_ba
            e[1] += f_ab
    return convs


def tshark_bytes(path):
    """Exact frames and frame bytes per (proto, src ep, dst ep), walking
    the layers of each packet like tshark's conversation taps do (transport
    headers quoted inside ICMP errors are not counted)."""
    fields = ["frame.protocols", "frame.len", "ip.src", "ip.dst", "ipv6.src",
              "ipv6.dst", "tcp.srcport", "tcp.dstport", "udp.srcport",
              "udp.dstport"]
    cmd = ["tshark", "-n", "-r", path, "-T", "fields", "-E", "occurrence=a",
           "-E", "aggregator=,"]
    for f in fields:
        cmd += ["-e", f]
    agg = defaultdict(lambda: [0, 0])
    for line in run(cmd).stdout.splitlines():
        col = line.split("\t")
        if len(col) < len(fields):
            continue
        lists = [c.split(",") if c else [] for c in col]
        protos, flen = col[0].split(":"), int(col[1])
        idx = defaultdict(int)
        cur = None
        for p in protos:
            if p in ("ip", "ipv6"):
                k = "ip" if p == "ip" else "ipv6"
                i = idx[k]
                srcs, dsts = lists[2], lists[3]
                if k == "ipv6":
                    srcs, dsts = lists[4], lists[5]
                if i < len(srcs) and i < len(dsts):
                    cur = (srcs[i], dsts[i])
                idx[k] += 1
            elif p in ("icmp", "icmpv6"):
                break
            elif p in ("tcp", "udp") and cur:
                i = idx[p]
                sp, dp = (lists[6], lists[7]) if p == "tcp" else (lists[8], lists[9])
                if i < len(sp) and i < len(dp):
                    key = (p, (cur[0], int(sp[i])), (cur[1], int(dp[i])))
                    agg[key][0] += 1
                    agg[key][1] += flen
                idx[p] += 1
    return agg


def peephole_convs(peephole, path, outdir):
    r = run([peephole, "logs", "-q", path, "-o", outdir])
    conns = defaultdict(lambda: {"pkts": [0, 0], "bytes": [0, 0]})
    log = os.path.join(outdir, "conn.log")
    if not os.path.exists(log):
        return None, r
    with open(log) as f:
        for line in f:
            c = json.loads(line)
            if c.get("proto") not in ("tcp", "udp"):
                continue
            o = (c["id.orig_h"], c["id.orig_p"])
            p = (c["id.resp_h"], c["id.resp_p"])
            key = (c["proto"], o, p)
            if (c["proto"], p, o) in conns:  # same tuple, flipped record
                key, sw = (c["proto"], p, o), True
            else:
                sw = False
            e = conns[key]
            op, rp = c.get("orig_pkts", 0), c.get("resp_pkts", 0)
            ob, rb = c.get("orig_l2_bytes", 0), c.get("resp_l2_bytes", 0)
            if sw:
                op, rp, ob, rb = rp, op, rb, ob
            e["pkts"][0] += op
            e["pkts"][1] += rp
            e["bytes"][0] += ob
            e["bytes"][1] += rb
    return conns, r


def load_known(path):
    known = []
    if path and os.path.exists(path):
        for line in open(path):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = [p.strip() for p in line.split("|")]
            if len(parts) >= 3:
                known.append(parts)
    return known


def is_known(known, rel, conv_txt):
    for pat, conv, reason in known:
        if fnmatch.fnmatch(rel, pat) and (conv == "*" or conv == conv_txt):
            return reason
    return None


def fmt(key):
    proto, a, b = key
    return "%s %s:%d <-> %s:%d" % (proto, a[0], a[1], b[0], b[1])


def compare_file(peephole, corpus, path, known):
    rel = os.path.relpath(path, corpus)
    convs = tshark_convs(path)
    exact = tshark_bytes(path)
    with tempfile.TemporaryDirectory() as td:
        ours, r = peephole_convs(peephole, path, td)
    if ours is None:
        reason = is_known(known, rel, "*")
        return len(convs), 0, (0 if reason else 1), 0, [
            "peephole wrote no conn.log (exit %d): %s" % (r.returncode, r.stderr.strip()[:200])]
    bad, notes, ok, nbytes = 0, [], 0, 0
    for key, (f_ba, f_ab) in convs.items():
        proto, a, b = key
        mine = ours.get(key)
        flip = False
        if mine is None:
            mine, flip = ours.get((proto, b, a)), True
        problem = None
        if mine is None:
            problem = "missing"
        else:
            pk = mine["pkts"][::-1] if flip else mine["pkts"]
            by = mine["bytes"][::-1] if flip else mine["bytes"]
            ab = exact.get((proto, a, b), [0, 0])
            ba = exact.get((proto, b, a), [0, 0])
            if pk != [f_ab, f_ba]:
                problem = "packets a->b/b->a peephole %d/%d tshark %d/%d" % (pk[0], pk[1], f_ab, f_ba)
            elif ab[0] == f_ab and ba[0] == f_ba:
                nbytes += 1
                if by != [ab[1], ba[1]]:
                    problem = "bytes a->b/b->a peephole %d/%d tshark %d/%d" % (by[0], by[1], ab[1], ba[1])
        if problem:
            reason = is_known(known, rel, fmt(key))
            if reason:
                notes.append("known: %s: %s (%s)" % (fmt(key), problem, reason))
            else:
                bad += 1
                notes.append("MISMATCH: %s: %s" % (fmt(key), problem))
        else:
            ok += 1
    return len(convs), ok, bad, nbytes, notes


def main():
    peephole, corpus, known_file = sys.argv[1], sys.argv[2], sys.argv[3]
    known = load_known(known_file)
    files = []
    for root, _, names in os.walk(corpus):
        for n in names:
            if n.lower().endswith(CAPTURE_EXT):
                files.append(os.path.join(root, n))
    files.sort()
    tot_conv = tot_ok = tot_bad = tot_bytes = 0
    print("%-62s %6s %6s %6s" % ("capture", "convs", "agree", "mismatch"))
    for path in files:
        n, ok, bad, nb, notes = compare_file(peephole, corpus, path, known)
        tot_bytes += nb
        tot_conv += n
        tot_ok += ok
        tot_bad += bad
        print("%-62s %6d %6d %6d" % (os.path.relpath(path, corpus)[-62:], n, ok, bad))
        for note in notes[:10]:
            print("    " + note)
        if len(notes) > 10:
            print("    ... %d more" % (len(notes) - 10))
    print("TOTAL: %d captures, %d tshark conversations, %d agree on endpoints and "
          "packets per direction (%d also on exact frame bytes per direction), "
          "%d mismatches" % (len(files), tot_conv, tot_ok, tot_bytes, tot_bad))
    return 1 if tot_bad else 0


if __name__ == "__main__":
    sys.exit(main())
