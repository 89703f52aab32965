#!/usr/bin/env python3
"""Compares peephole's QUIC results with three peers.

1. tshark: for every capture under CORPUS/pcap (recursively), the set of
   QUIC SNIs (quic.log server_name) equals what tshark 4.0 extracts
   (`-Y "quic or gquic"`, fields tls.handshake.extensions_server_name, which
   tshark gets by decrypting Initials itself, and gquic.tag.sni).
2. JA4 reference: CORPUS/expected/ja4/*.json (FoxIO's JA4 tool) for the
   captures in CORPUS/pcap/ja4: every QUIC ('q') JA4 the tool lists must
   be in ssl.log's ja4 of the same flow.
3. suricata-verify: tests under CORPUS/pcap/suricata-verify whose test.yaml
   checks quic fields (sni, alpn, ja4, version): the same values must be
   in peephole's quic.log / ssl.log for the same capture.

Differences that are justified are listed in quic_vs_tshark.known
(capture glob | item or '*' | reason); anything else fails the test.

Usage: quic_vs_tshark.py PEEPHOLE CORPUS_DIR KNOWN_FILE
"""
import fnmatch
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

CAPTURE_EXT = (".pcap", ".pcapng", ".cap", ".pcap.gz", ".pcapng.gz", ".dmp")


def run(cmd):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, errors="replace")


def load_known(path):
    known = []
    if not os.path.exists(path):
        return known
    for line in open(path):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) >= 3:
            known.append((parts[0], parts[1], parts[2]))
    return known


def is_known(known, rel, item):
    for g, it, _ in known:
        if fnmatch.fnmatch(rel, g) and (it == "*" or it == item):
            return True
    return False


def read_log(d, name):
    p = os.path.join(d, name + ".log")
    recs = []
    if os.path.exists(p):
        for line in open(p, errors="replace"):
            line = line.strip()
            if line:
                recs.append(json.loads(line))
    return recs


def peephole(binary, path):
    """(quic.log records, ssl.log records) of one capture."""
    with tempfile.TemporaryDirectory(prefix="ph_quic_") as d:
        r = run([binary, "logs", path, "-o", d])
        if r.returncode not in (0, 1, 3):
            return None, None
        return read_log(d, "quic"), read_log(d, "ssl")


def tshark_snis(path):
    out = run(["tshark", "-n", "-r", path, "-Y", "quic or gquic", "-T",
               "fields", "-E", "occurrence=a", "-E", "aggregator=\x1f",
               "-e", "tls.handshake.extensions_server_name",
               "-e", "gquic.tag.sni"]).stdout
    snis = set()
    for line in out.splitlines():
        for field in line.split("\t"):
            for v in field.split("\x1f"):
                if v:
                    snis.add(v)
    return snis


def captures(root):
    for dp, _, fs in os.walk(root):
        for f in sorted(fs):
            if f.endswith(CAPTURE_EXT):
                yield os.path.join(dp, f)


def has_udp(path):
    out = run(["tshark", "-n", "-r", path, "-Y", "udp", "-c", "1", "-T",
               "fields", "-e", "frame.number"]).stdout
    return bool(out.strip())


def check_tshark(binary, corpus, known, fails):
    print("== QUIC SNIs: peephole quic.log vs tshark (quic/gquic)")
    print("%-58s %6s %6s %6s %6s %6s" % ("capture", "qflows", "tshark",
                                           "ph", "match", "diff"))
    tot = dict(caps=0, flows=0, ts=0, ph=0, match=0, diff=0, known=0)
    ssl_by_cap = {}
    for path in captures(os.path.join(corpus, "pcap")):
        rel = os.path.relpath(path, corpus)
        if not has_udp(path):
            continue
        quic, ssl = peephole(binary, path)
        if quic is None:
            fails.append("%s: peephole failed" % rel)
            continue
        ssl_by_cap[rel] = (quic, ssl)
        ts = tshark_snis(path)
        ph = {q["server_name"] for q in quic if q.get("server_name")}
        if not ts and not ph and not quic:
            continue
        tot["caps"] += 1
        tot["flows"] += len(quic)
        diff = 0
        for s in sorted(ts ^ ph):
            side = "missing" if s in ts else "extra"
            if is_known(known, rel, s):
                tot["known"] += 1
                continue
            diff += 1
            fails.append("%s: SNI %r %s in peephole" % (rel, s, side))
        tot["ts"] += len(ts)
        tot["ph"] += len(ph)
        tot["match"] += len(ts & ph)
        tot["diff"] += diff
        print("%-58s %6d %6d %6d %6d %6d" % (rel[-58:], len(quic), len(ts),
                                             len(ph), len(ts & ph), diff))
    print("TOTAL sni: %d captures, %d quic.log records, tshark %d SNIs, "
          "peephole %d, agree %d, mismatches %d (+%d known)" % (
              tot["caps"], tot["flows"], tot["ts"], tot["ph"], tot["match"],
              tot["diff"], tot["known"]))
    return tot, ssl_by_cap


def flow_key(a, ap, b, bp):
    x, y = (a, int(ap)), (b, int(bp))
    return (x, y) if x <= y else (y, x)


def ssl_ja4(ssl):
    out = {}
    for r in ssl:
        if r.get("ja4", "").startswith("q"):
            k = flow_key(r["id.orig_h"], r["id.orig_p"], r["id.resp_h"],
                         r["id.resp_p"])
            out[k] = r["ja4"]
    return out


def check_ja4(binary, corpus, known, fails, cache):
    print("== QUIC JA4: peephole ssl.log vs FoxIO JA4 tool (expected/ja4)")
    tot = dict(caps=0, flows=0, match=0, diff=0)
    for exp in sorted(glob.glob(os.path.join(corpus, "expected/ja4/*.json"))):
        name = os.path.basename(exp)[:-5]
        rel = os.path.join("pcap/ja4", name)
        path = os.path.join(corpus, rel)
        if not os.path.exists(path):
            continue
        try:
            entries = json.load(open(exp))
        except ValueError:
            continue
        want = {}
        for e in entries:
            for k, v in e.items():
                if k.startswith("JA4.") and str(v).startswith("q"):
                    want[flow_key(e["src"], e["srcport"], e["dst"],
                                  e["dstport"])] = v
        if not want:
            continue
        quic, ssl = cache.get(rel) or peephole(binary, path)
        got = ssl_ja4(ssl or [])
        tot["caps"] += 1
        for k, v in want.items():
            tot["flows"] += 1
            if got.get(k) == v:
                tot["match"] += 1
            elif not is_known(known, rel, v):
                tot["diff"] += 1
                fails.append("%s: flow %s JA4 %s, peephole %s" % (
                    rel, k, v, got.get(k)))
        print("%-58s flows %d" % (rel, len(want)))
    print("TOTAL ja4: %d captures with QUIC JA4s, %d flows, agree %d, "
          "mismatches %d" % (tot["caps"], tot["flows"], tot["match"],
                             tot["diff"]))
    return tot


YAML_QUIC = re.compile(r"^\s*(quic\.[\w\[\]\.]+):\s*(.+?)\s*$")


def sv_checks(text):
    """[(count or None, {quic.field: value})] of a suricata-verify test."""
    out, cur, count = [], None, None
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("- filter:"):
            if cur:
                out.append((count, cur))
            cur, count = {}, None
        elif s.startswith("count:") and cur is not None:
            count = int(s.split(":", 1)[1])
        else:
            m = YAML_QUIC.match(line)
            if m and cur is not None:
                cur[m.group(1)] = m.group(2).strip("\"'")
    if cur:
        out.append((count, cur))
    return [(c, d) for c, d in out if d]


def sv_values(quic, ssl):
    """What peephole says per suricata-verify field name."""
    vals = {"sni": [], "alpn": [], "ja4": [], "version": []}
    for q in quic:
        if q.get("server_name"):
            vals["sni"].append(q["server_name"])
        if q.get("client_protocol"):
            vals["alpn"].append(q["client_protocol"])
        vals["version"].append(q.get("version"))
    for r in ssl:
        if r.get("ja4", "").startswith("q"):
            vals["ja4"].append(r["ja4"])
    return vals


def check_sv(binary, corpus, known, fails):
    print("== suricata-verify tests checking quic fields")
    tot = dict(tests=0, fields=0, match=0, diff=0, skipped=0)
    for y in sorted(glob.glob(os.path.join(corpus,
                                           "pcap/suricata-verify/*/test.yaml"))):
        checks = sv_checks(open(y).read())
        if not checks:
            continue
        d = os.path.dirname(y)
        rel = os.path.relpath(os.path.join(d, "input.pcap"), corpus)
        quic, ssl = peephole(binary, os.path.join(corpus, rel))
        vals = sv_values(quic or [], ssl or [])
        tot["tests"] += 1
        for count, fields in checks:
            for k, v in fields.items():
                if k == "quic.ja4":
                    got, n = vals["ja4"], vals["ja4"].count(v)
                elif k.startswith("quic.extensions[") and ".values[0]" in k:
                    kind = fields.get(k.replace(".values[0]", ".name"))
                    key = {"server_name": "sni", "alpn": "alpn"}.get(kind)
                    if not key:
                        tot["skipped"] += 1
                        continue
                    got, n = vals[key], vals[key].count(v)
                elif k == "quic.sni":
                    got, n = vals["sni"], vals["sni"].count(v)
                elif k.endswith(".name") or k == "quic.version":
                    tot["skipped"] += 1  # names / suricata's version form
                    continue
                else:
                    tot["skipped"] += 1
                    continue
                tot["fields"] += 1
                # suricata counts events (packets), peephole flows: the
                # value must be there; with a count, on at most that many
                ok = n >= 1 and (count is None or n <= count)
                if ok:
                    tot["match"] += 1
                elif not is_known(known, rel, v):
                    tot["diff"] += 1
                    fails.append("%s: %s=%s, peephole %s" % (rel, k, v,
                                                            sorted(set(got))))
                print("%-40s %-28s %-40s %s" % (os.path.basename(d), k, v[:40],
                                                "ok" if ok else "DIFF"))
    print("TOTAL suricata-verify: %d tests, %d fields compared, agree %d, "
          "mismatches %d, %d not comparable" % (
              tot["tests"], tot["fields"], tot["match"], tot["diff"],
              tot["skipped"]))
    return tot


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    binary, corpus, known_file = sys.argv[1:]
    known = load_known(known_file)
    fails = []
    t1, cache = check_tshark(binary, corpus, known, fails)
    t2 = check_ja4(binary, corpus, known, fails, cache)
    t3 = check_sv(binary, corpus, known, fails)
    print("TOTAL: %d mismatches (sni %d, ja4 %d, suricata-verify %d)" % (
        len(fails), t1["diff"], t2["diff"], t3["diff"]))
    for f in fails:
        print("FAIL: " + f)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
