#!/usr/bin/env python3
"""Compares peephole's nDPI application labels with ndpiReader's.

For every capture in PCAP_DIR that has EXPECTED_DIR/<capture>.out (the
`ndpiReader` result file of nDPI's own test suite), runs `peephole logs`
and, for every flow ndpiReader lists ("[proto: 91.126/TLS.Google]", and
the "Undetected flows" as "Unknown"), looks up the connection with the
same unordered 5-tuple in conn.log (ICMP: addresses only, as ndpiReader
prints ports 0) and compares conn.log's app_label with ndpiReader's label
("" for Unknown). peephole splits a 5-tuple into several connections where
Zeek does (timeouts, reuse); ndpiReader keeps one flow, so the flow agrees
when any of peephole's connections has its label.

Risks: for the flows that agree on the label, the nDPI risks ndpiReader
lists that nDPI 4.2 also knows (RISK_NAMES_FILE, the names nDPI 4.2's
ndpi_risk2str() gives; the other risks are newer than 4.2) are compared
with ndpi.log's risks: reported as found / expected, and extra ones.

The expected files come from a newer nDPI (commit in the corpus
PROVENANCE.md) than Debian's 4.2, whose ndpiReader also feeds more packets
per flow and uses other defaults, so differences are expected: the test
fails only when the TOTAL label agreement drops below the threshold in
KNOWN_FILE ("threshold | PERCENT | reason"); KNOWN_FILE's other lines
("capture glob | expected label glob | peephole label glob | reason")
explain classes of disagreement, printed next to each disagreement.

The same comparison against the ndpiReader of the installed nDPI 4.2 (run
by label_vs_ndpi.sh into a temporary EXPECTED_DIR) checks our integration
itself: same library, so labels should agree but for what ndpiReader does
differently (it labels outer tunnel flows, peephole the inner ones); its
threshold is the KNOWN_FILE line whose first field is THRESHOLD_KEY.

Usage: label_vs_ndpi.py PEEPHOLE PCAP_DIR EXPECTED_DIR KNOWN_FILE
                        [RISK_NAMES_FILE [THRESHOLD_KEY]]
"""
import fnmatch
import ipaddress
import json
import os
import re
import subprocess
import sys
import tempfile

FLOW_RE = re.compile(r"^\t\d+\t(\S+) (\S+) (?:<->|->) (\S+) "
                     r"(?:\[VLAN: \d+\])?\[proto: (?:[A-Za-z]+:)?[\d.]+/"
                     r"([^\]]+)\](?:\[IP: \d+/([^\]]+)\])?")
RISK_RE = re.compile(r"\[Risk: ((?:\*\* .*? \*\*)+)\]")
PROTO = {"TCP": 6, "UDP": 17, "ICMP": 1, "ICMPV6": 58, "IGMP": 2, "ESP": 50,
         "GRE": 47, "SCTP": 132}
PORTLESS = (1, 58, 2, 50, 47)

# The same protocol spelled differently by nDPI 4.2 (left) and the newer
# nDPI of the expected files (right).
RENAMED = {"Sina(Weibo)": "Sina", "DCE_RPC": "DCERPC", "IPsec": "IPSec"}

# Risk names of the newer ndpiReader -> nDPI 4.2's ndpi_risk_enum value (the
# enum kept its order; newer nDPI added risks after 41 and shortened the
# names). Risks newer than 4.2 are absent and not compared.
RISK_IDX = {
    "XSS Attack": 1, "SQL Injection": 2, "RCE Injection": 3,
    "Binary App Transfer": 4, "Known Proto on Non Std Port": 5,
    "Self-signed Cert": 6, "Obsolete TLS (v1.1 or older)": 7,
    "Weak TLS Cipher": 8, "TLS Cert Expired": 9, "TLS Cert Mismatch": 10,
    "HTTP Susp User-Agent": 11, "HTTP/TLS/QUIC Numeric Hostname/SNI": 12,
    "HTTP Susp URL": 13, "HTTP Susp Header": 14,
    "TLS (probably) Not Carrying HTTPS": 15, "Susp DGA Domain name": 16,
    "Malformed Packet": 17, "SSH Obsolete Cli Vers/Cipher": 18,
    "SSH Obsolete Ser Vers/Cipher": 19, "SMB Insecure Vers": 20,
    "TLS Susp ESNI Usage": 21, "Unsafe Protocol": 22,
    "Susp DNS Traffic": 23, "Missing SNI TLS Extn": 24,
    "HTTP Susp Content": 25, "Risky ASN": 26, "Risky Domain Name": 27,
    "Malicious Fingerpint": 28, "Malicious Fingerprint": 28,
    "Malicious SSL Cert/SHA1 Fingerp.": 29, "Desktop/File Sharing": 30,
    "Uncommon TLS ALPN": 31, "TLS Cert Validity Too Long": 32,
    "TLS Susp Extn": 33, "TLS Fatal Alert": 34, "Susp Entropy": 35,
    "Clear-Text Credentials": 36, "Large DNS Packet (512+ bytes)": 37,
    "Fragmented DNS Message": 38, "Non-Printable/Invalid Chars Detected": 39,
    "Possible Exploit Attempt": 40, "TLS Cert About To Expire": 41,
}


def endpoint(ep):
    """'1.2.3.4:80' or '[2001::1]:80' -> (address, port)."""
    addr, port = ep.rsplit(":", 1)
    return str(ipaddress.ip_address(addr.strip("[]"))), int(port)


def key_of(proto, a, b):
    if proto in PORTLESS:
        a, b = (a[0], 0), (b[0], 0)
    return (proto, frozenset((a, b)))


def expected_flows(path):
    """[(key, text, label, risks)] from an ndpiReader .out file."""
    flows = []
    for line in open(path, errors="replace"):
        m = FLOW_RE.match(line)
        if not m:
            continue
        p = m.group(1)
        proto = PROTO.get(p, int(p) if p.isdigit() else -1)
        try:
            a, b = endpoint(m.group(2)), endpoint(m.group(3))
        except ValueError:
            continue
        label = m.group(4)
        label = "" if label == "Unknown" else label
        ipname = m.group(5) if m.group(5) != "Unknown" else None
        risks = set()
        r = RISK_RE.search(line)
        if r:
            risks = {x.strip() for x in r.group(1).split("**") if x.strip()}
        text = "%s %s <-> %s" % (p, m.group(2), m.group(3))
        flows.append((key_of(proto, a, b), text, label, ipname, risks))
    return flows


def peephole_flows(peephole, pcap, outdir):
    """{key: [(label, risks)]} from conn.log and ndpi.log."""
    r = subprocess.run([peephole, "logs", "-q", pcap, "-o", outdir],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, errors="replace")
    conns, risks = {}, {}
    log = os.path.join(outdir, "ndpi.log")
    if os.path.exists(log):
        for line in open(log):
            c = json.loads(line)
            risks[c["uid"]] = set(c.get("risks", []))
    log = os.path.join(outdir, "conn.log")
    if not os.path.exists(log):
        return None, r
    for line in open(log):
        c = json.loads(line)
        a = (str(ipaddress.ip_address(c["id.orig_h"])), c["id.orig_p"])
        b = (str(ipaddress.ip_address(c["id.resp_h"])), c["id.resp_p"])
        k = key_of(c.get("ip_proto", -1), a, b)
        conns.setdefault(k, []).append(
            (c.get("app_label", ""), risks.get(c["uid"], set())))
    return conns, r


def load_known(path, key):
    threshold, known = 0.0, []
    for line in open(path):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split("|")]
        if parts[0] == key and len(parts) >= 2:
            threshold = float(parts[1])
        elif len(parts) >= 4:
            known.append(parts)
    return threshold, known


def why(known, rel, want, got):
    for cap, w, g, reason in known:
        if (fnmatch.fnmatch(rel, cap) and fnmatch.fnmatch(want or "-", w)
                and fnmatch.fnmatch(got or "-", g)):
            return reason
    return None


class Tally:
    FIELDS = ("flows", "exact", "equiv", "newer", "missing", "risk_want",
              "risk_found", "risk_extra")

    def __init__(self):
        for f in self.FIELDS:
            setattr(self, f, 0)

    def add(self, o):
        for f in self.FIELDS:
            setattr(self, f, getattr(self, f) + getattr(o, f))


def equivalent(want, ipname, got):
    """Same label said differently: a renamed protocol, or nDPI 4.2 naming
    the application from the server address ("TLS.AmazonAWS") where the
    newer nDPI keeps that in a separate field ("TLS" + [IP: AmazonAWS])."""
    got = ".".join(RENAMED.get(x, x) for x in got.split(".")) if got else got
    if got == want:
        return True
    return bool(ipname) and "." not in want and got == want + "." + ipname


def compare_risks(t, mine, want_risks, names42, notes, text):
    want = {names42[RISK_IDX[r]] for r in want_risks
            if RISK_IDX.get(r) in names42}
    want |= want_risks & set(names42.values())  # a 4.2 ndpiReader's names
    got = set().union(*(r for _, r in mine))
    t.risk_want += len(want)
    t.risk_found += len(want & got)
    extra = got - want
    t.risk_extra += len(extra)
    if want - got or extra:
        notes.append("risk: %s: missing %s extra %s" % (
            text, sorted(want - got), sorted(extra)))


def compare_flow(t, mine, flow, rel, known, names, notes, rnotes):
    _, text, want, ipname, want_risks = flow
    names42, protos42 = names
    t.flows += 1
    labels = [m[0] for m in mine]
    if want in labels:
        t.exact += 1
    elif any(equivalent(want, ipname, x) for x in labels):
        t.equiv += 1
    else:
        got = "/".join(sorted(set(x or "-" for x in labels)))
        reason = why(known, rel, want, labels[0])
        newer = [x for x in want.split(".") if x not in protos42]
        if protos42 and newer:
            t.newer += 1
            reason = "%s: not a protocol of nDPI 4.2%s" % (
                "/".join(newer), "; " + reason if reason else "")
        notes.append("differ: %s: ndpiReader %s, peephole %s%s" % (
            text, want or "-", got, " (%s)" % reason if reason else ""))
        return
    same = [m for m in mine if equivalent(want, ipname, m[0])]
    if names42:
        compare_risks(t, same, want_risks, names42, rnotes, text)


def compare_file(peephole, pcap, rel, exp, known, names42):
    t, notes, rnotes = Tally(), [], []
    with tempfile.TemporaryDirectory() as td:
        ours, r = peephole_flows(peephole, pcap, td)
    if ours is None:
        notes.append("peephole wrote no conn.log (exit %d): %s" %
                     (r.returncode, r.stderr.strip()[:200]))
        ours = {}
    for flow in expected_flows(exp):
        mine = ours.get(flow[0])
        if not mine:
            t.missing += 1
            notes.append("missing: %s (ndpiReader: %s)" % (flow[1],
                                                          flow[2] or "-"))
            continue
        compare_flow(t, mine, flow, rel, known, names42, notes, rnotes)
    return t, notes + rnotes


def pct(a, b):
    return 100.0 * a / b if b else 100.0


def load_names(path):
    """({4.2 risk enum value: 4.2 name}, {4.2 protocol names}) from the
    helper's 'N name' and 'P name' lines."""
    names, protos = {}, set()
    for line in open(path):
        n, _, name = line.strip().partition(" ")
        if n.isdigit() and name:
            names[int(n)] = name
        elif n == "P" and name:
            protos.add(name)
    return names, protos


def main():
    peephole, pcaps, expdir, known_file = sys.argv[1:5]
    names42, protos42 = {}, set()
    if len(sys.argv) > 5 and os.path.exists(sys.argv[5]):
        names42, protos42 = load_names(sys.argv[5])
    key = sys.argv[6] if len(sys.argv) > 6 else "threshold"
    threshold, known = load_known(known_file, key)
    caps = sorted(n for n in os.listdir(pcaps)
                  if os.path.exists(os.path.join(expdir, n + ".out")))
    tot = Tally()
    print("%-38s %6s %6s %6s %7s %5s %9s" % (
        "capture", "flows", "exact", "equiv", "agree%", "miss", "risks"))
    for n in caps:
        t, notes = compare_file(peephole, os.path.join(pcaps, n), n,
                                os.path.join(expdir, n + ".out"), known,
                                (names42, protos42))
        tot.add(t)
        print("%-38s %6d %6d %6d %6.1f%% %5d %4d/%-4d" % (
            n[-38:], t.flows, t.exact, t.equiv,
            pct(t.exact + t.equiv, t.flows), t.missing, t.risk_found,
            t.risk_want))
        for note in notes[:20]:
            print("    " + note)
        if len(notes) > 20:
            print("    ... %d more" % (len(notes) - 20))
    agree = pct(tot.exact + tot.equiv, tot.flows)
    print("TOTAL: %d captures, %d ndpiReader flows found in conn.log (%d not "
          "found); labels: %d exact + %d equivalent = %.1f%% agree (exact "
          "only %.1f%%, threshold %.1f%%); risks nDPI 4.2 knows, on agreeing "
          "flows: %d of %d found (%.1f%%), %d raised by peephole only; "
          "%d disagreements name a protocol nDPI 4.2 lacks (agreement "
          "without those flows %.1f%%)"
          % (len(caps), tot.flows, tot.missing, tot.exact, tot.equiv, agree,
             pct(tot.exact, tot.flows), threshold, tot.risk_found,
             tot.risk_want, pct(tot.risk_found, tot.risk_want),
             tot.risk_extra, tot.newer,
             pct(tot.exact + tot.equiv, tot.flows - tot.newer)))
    if agree < threshold:
        print("FAIL: label agreement %.1f%% < %.1f%%" % (agree, threshold))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
