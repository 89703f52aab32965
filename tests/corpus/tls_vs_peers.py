#!/usr/bin/env python3
"""Compares peephole's TLS results (ssl.log, x509.log) with three peers.

1. tshark: for every capture under CORPUS/pcap, the set of TLS SNIs
   (tls.handshake.extensions_server_name) and the set of certificate SHA-1
   fingerprints (SHA-1 of each tls.handshake.certificate DER) over TCP equal
   peephole's (SNIs from ssl.log server_name; fingerprints from ssl.log
   cert_chain_fps + client_cert_chain_fps mapped to x509.log's
   fingerprint_sha1). tshark only decodes TLS on its registered ports, so
   the ports where peephole found TLS are passed to it with -d.
2. JA4: CORPUS/expected/ja4/<capture>.json (FoxIO's ja4 tool) against
   ssl.log ja4/ja4s for every TCP stream listed (JA4.1 = the first
   ClientHello of the stream; later ClientHellos are not in ssl.log).
3. nDPI: CORPUS/expected/ndpi/<capture>.out (ndpiReader): for every TCP flow
   with a JA3C, JA3S or Certificate SHA-1, peephole's ssl.log/x509.log for
   the same 5-tuple says the same.
4. suricata-verify: the test.yaml checks of the TLS tests that peephole can
   answer (ja4, subject/issuer/serial/fingerprint/version/validity, resumed
   sessions, certificate SHA-1 rules, SAN counts).

Mismatches listed in KNOWN ("capture glob | check | item or * | reason")
are reported but do not fail. Usage: tls_vs_peers.py PEEPHOLE CORPUS KNOWN
"""
import fnmatch
import glob
import hashlib
import ipaddress
import json
import os
import re
import subprocess
import sys
import tempfile

CAPTURE_EXT = (".pcap", ".pcapng", ".cap", ".pcap.gz", ".pcapng.gz")
TSHARK_TLS_PORTS = {443, 465, 563, 585, 636, 853, 989, 990, 992, 993, 994,
                    995, 3389, 5061, 5223, 8443}


def run(cmd):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, errors="replace")


def read_json_lines(path):
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8", errors="replace") as f:
        return [json.loads(l) for l in f if l.strip()]


class Peephole:
    """ssl.log and x509.log of one capture."""

    def __init__(self, exe, cap, tmp):
        out = os.path.join(tmp, "logs")
        subprocess.run(["rm", "-rf", out])
        r = run([exe, "logs", cap, "-o", out])
        self.rc = r.returncode
        tcp = {c["uid"] for c in read_json_lines(os.path.join(out,
                                                              "conn.log"))
               if c.get("proto") == "tcp"}
        # TLS over TCP only: QUIC handshakes are in ssl.log too (as Zeek)
        self.ssl = [s for s in read_json_lines(os.path.join(out, "ssl.log"))
                    if s["uid"] in tcp]
        self.x509 = read_json_lines(os.path.join(out, "x509.log"))
        self.sha1 = {x["fingerprint"]: x.get("fingerprint_sha1")
                     for x in self.x509}
        self.cert = {x["fingerprint"]: x for x in self.x509}
        self.flows = {}
        for s in self.ssl:
            a = (norm_addr(s["id.orig_h"]), s["id.orig_p"])
            b = (norm_addr(s["id.resp_h"]), s["id.resp_p"])
            self.flows.setdefault(frozenset((a, b)), []).append(s)

    def flow(self, a, b):
        recs = self.flows.get(frozenset((a, b)))
        return recs[0] if recs else None

    def snis(self):
        return {s["server_name"] for s in self.ssl if s.get("server_name")}

    def chain_sha1(self, rec, client=False):
        fps = rec.get("client_cert_chain_fps" if client else
                      "cert_chain_fps") or []
        return [self.sha1.get(fp) or ("sha256:" + fp) for fp in fps]

    def all_sha1(self):
        out = set()
        for s in self.ssl:
            out.update(self.chain_sha1(s))
            out.update(self.chain_sha1(s, True))
        return out

    def resp_ports(self):
        return {s["id.resp_p"] for s in self.ssl}


def tshark_tls(cap, ports):
    cmd = ["tshark", "-n", "-r", cap, "-o", "tcp.reassemble_out_of_order:TRUE",
           "-Y",
           "tcp && (tls.handshake.type==1 || tls.handshake.type==11)",
           "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=|",
           "-e", "tls.handshake.extensions_server_name",
           "-e", "tls.handshake.certificate"]
    for p in sorted(ports - TSHARK_TLS_PORTS)[:40]:
        cmd += ["-d", "tcp.port==%d,tls" % p]
    snis, sha1s = set(), set()
    for line in run(cmd).stdout.splitlines():
        cols = line.split("\t")
        if cols and cols[0]:
            snis.update(n for n in cols[0].split("|") if n)
        if len(cols) > 1 and cols[1]:
            for h in cols[1].split("|"):
                try:
                    sha1s.add(hashlib.sha1(bytes.fromhex(h)).hexdigest())
                except ValueError:
                    pass
    return snis, sha1s


class Known:
    def __init__(self, path):
        self.rules = []
        if os.path.exists(path):
            for line in open(path):
                line = line.strip()
                if line and not line.startswith("#"):
                    parts = [p.strip() for p in line.split("|", 3)]
                    if len(parts) == 4:
                        self.rules.append(parts)

    def reason(self, cap, check, item):
        for g, c, it, why in self.rules:
            if fnmatch.fnmatch(cap, g) and c == check and \
                    (it == "*" or it == item):
                return why
        return None


class Tally:
    def __init__(self, name):
        self.name, self.caps, self.flows, self.fields = name, 0, 0, 0
        self.bad, self.known, self.failures = 0, 0, []

    def cmp(self, known, cap, check, item, ok, note=""):
        self.fields += 1
        if ok:
            return
        why = known.reason(cap, check, item)
        if why:
            self.known += 1
        else:
            self.bad += 1
            self.failures.append("%s | %s | %s | %s" % (cap, check, item,
                                                        note))

    def line(self):
        return ("%-16s captures %3d  flows %4d  fields %5d  mismatches %3d"
                "  known %3d" % (self.name, self.caps, self.flows,
                                 self.fields, self.bad, self.known))


def rel(path, corpus):
    return os.path.relpath(path, corpus)


def check_tshark(exe, corpus, known, tmp, cache):
    t = Tally("tshark")
    print("== 1. tshark: TLS SNIs and certificate SHA-1 per capture")
    print("%-52s %5s %5s %4s %4s %5s %5s %4s %4s" % (
        "capture", "sni_t", "sni_p", "miss", "xtra", "crt_t", "crt_p",
        "miss", "xtra"))
    caps = sorted(p for p in glob.glob(os.path.join(corpus, "pcap", "**"),
                                       recursive=True)
                  if p.endswith(CAPTURE_EXT))
    for cap in caps:
        name = rel(cap, os.path.join(corpus, "pcap"))
        pp = cache(cap)
        ts_sni, ts_crt = tshark_tls(cap, pp.resp_ports())
        pp_sni, pp_crt = pp.snis(), pp.all_sha1()
        if not (ts_sni or ts_crt or pp_sni or pp_crt):
            continue
        t.caps += 1
        t.flows += len(pp.ssl)
        for n in ts_sni | pp_sni:
            t.cmp(known, name, "sni", n, n in ts_sni and n in pp_sni,
                  "tshark only" if n in ts_sni else "peephole only")
        for c in ts_crt | pp_crt:
            t.cmp(known, name, "sha1", c, c in ts_crt and c in pp_crt,
                  "tshark only" if c in ts_crt else "peephole only")
        print("%-52s %5d %5d %4d %4d %5d %5d %4d %4d" % (
            name[-52:], len(ts_sni), len(pp_sni), len(ts_sni - pp_sni),
            len(pp_sni - ts_sni), len(ts_crt), len(pp_crt),
            len(ts_crt - pp_crt), len(pp_crt - ts_crt)))
    return t


def check_ja4(exe, corpus, known, tmp, cache):
    t = Tally("ja4")
    print("\n== 2. JA4 reference (FoxIO ja4 tool)")
    print("%-40s %6s %6s %6s %6s" % ("capture", "ja4", "ok", "ja4s", "ok"))
    for js in sorted(glob.glob(os.path.join(corpus, "expected", "ja4",
                                            "*.json"))):
        base = os.path.basename(js)[:-5]
        cap = os.path.join(corpus, "pcap", "ja4", base)
        if not os.path.exists(cap):
            continue
        entries = json.load(open(js))
        pp = cache(cap)
        n4 = ok4 = n4s = ok4s = 0
        for e in entries:
            j4, j4s = e.get("JA4.1"), e.get("JA4S")
            if (j4 or "t").startswith("q") or (j4s or "t").startswith("q"):
                continue  # QUIC: the QUIC engineer's check
            if not j4 and not j4s:
                continue
            a = (norm_addr(e["src"]), int(e["srcport"]))
            b = (norm_addr(e["dst"]), int(e["dstport"]))
            rec = pp.flow(a, b) or {}
            item = "%s:%d-%s:%d" % (a + b)
            t.flows += 1
            if j4:
                n4 += 1
                good = rec.get("ja4") == j4
                ok4 += good
                t.cmp(known, "ja4/" + base, "ja4", item, good)
                if not good:
                    print("   %s ja4 want %s got %s" % (item, j4,
                                                      rec.get("ja4")))
            if j4s:
                n4s += 1
                good = rec.get("ja4s") == j4s
                ok4s += good
                t.cmp(known, "ja4/" + base, "ja4s", item, good)
                if not good:
                    print("   %s ja4s want %s got %s" % (item, j4s,
                                                       rec.get("ja4s")))
        if n4 or n4s:
            t.caps += 1
            print("%-40s %6d %6d %6d %6d" % (base, n4, ok4, n4s, ok4s))
    return t


NDPI_FLOW = re.compile(r"^\s*\d+\s+TCP\s+(\S+)\s+<->\s+(\S+)\s")


def norm_addr(a):
    try:
        return ipaddress.ip_address(a).compressed
    except ValueError:
        return a


def split_ep(ep):
    addr, port = ep.rsplit(":", 1)
    return norm_addr(addr.strip("[]")), int(port)


def ndpi_flows(path):
    for line in open(path, errors="replace"):
        m = NDPI_FLOW.match(line)
        if not m:
            continue
        f = {"a": split_ep(m.group(1)), "b": split_ep(m.group(2))}
        for key, rx in (("ja3c", r"\[JA3C: ([0-9a-f]{32})\]"),
                        ("ja3s", r"\[JA3S: ([0-9a-f]{32})\]"),
                        ("sha1", r"\[Certificate SHA-1: ([0-9A-F:]{59})\]")):
            mm = re.search(rx, line)
            if mm:
                f[key] = mm.group(1).replace(":", "").lower()
        if len(f) > 2:
            yield f


def check_ndpi(exe, corpus, known, tmp, cache):
    t = Tally("ndpi")
    print("\n== 3. nDPI (ndpiReader): JA3C / JA3S / certificate SHA-1")
    print("%-40s %5s %5s %5s %5s %5s %5s" % (
        "capture", "ja3c", "ok", "ja3s", "ok", "sha1", "ok"))
    for out in sorted(glob.glob(os.path.join(corpus, "expected", "ndpi",
                                             "*.out"))):
        base = os.path.basename(out)[:-4]
        cap = os.path.join(corpus, "pcap", "ndpi", base)
        flows = list(ndpi_flows(out)) if os.path.exists(cap) else []
        if not flows:
            continue
        pp = cache(cap)
        cnt = {k: [0, 0] for k in ("ja3c", "ja3s", "sha1")}
        t.caps += 1
        for f in flows:
            rec = pp.flow(f["a"], f["b"]) or {}
            item = "%s:%d-%s:%d" % (f["a"] + f["b"])
            t.flows += 1
            chain = pp.chain_sha1(rec) if rec else []
            got = {"ja3c": rec.get("ja3"), "ja3s": rec.get("ja3s"),
                   "sha1": chain[0] if chain else None}
            for k in cnt:
                if k not in f:
                    continue
                good = got[k] == f[k]
                cnt[k][0] += 1
                cnt[k][1] += good
                t.cmp(known, "ndpi/" + base, k, item, good)
                if not good and not known.reason("ndpi/" + base, k, item):
                    print("   %s %s want %s got %s" % (item, k, f[k],
                                                     got[k]))
        print("%-40s %5d %5d %5d %5d %5d %5d" % (
            base[-40:], cnt["ja3c"][0], cnt["ja3c"][1], cnt["ja3s"][0],
            cnt["ja3s"][1], cnt["sha1"][0], cnt["sha1"][1]))
    return t


def rdn_set(dn):
    """Suricata's "C=US, CN=x, Email=y" or Zeek's RFC 2253 "CN=x,C=US"
    (commas in values escaped as \\,) as a set of (key, value)."""
    alias = {"emailAddress": "Email", "E": "Email"}
    if "\\," in dn or re.search(r"[^ ],[A-Za-z.]+=", dn):
        parts = [p.replace("\\,", ",") for p in re.split(r"(?<!\\),", dn)]
    else:
        parts = re.split(r",\s*(?=[A-Za-z.]+=)", dn)
    out = set()
    for part in parts:
        if "=" in part:
            k, v = part.split("=", 1)
            out.add((alias.get(k.strip(), k.strip()), v.strip()))
    return out


def sv_certs(pp):
    """(ssl record, leaf x509 record or {}) for every ssl.log line."""
    for s in pp.ssl:
        fps = s.get("cert_chain_fps") or []
        yield s, (pp.cert.get(fps[0], {}) if fps else {})


def sv_ja4(pp, yml, t, known, name):
    want = re.findall(r"tls\.ja4:\s*(\S+)", yml)
    for w in want:
        t.cmp(known, name, "ja4", w, any(s.get("ja4") == w for s in pp.ssl))


def sv_cert_fields(pp, yml, t, known, name):
    def val(key):
        m = re.search(r"tls\.%s:\s*\"?([^\"\n]+)\"?" % key, yml)
        return m.group(1).strip() if m else None
    leafs = [(s, c) for s, c in sv_certs(pp) if c]
    checks = {
        "subject": lambda s, c, v: rdn_set(c.get("certificate.subject", ""))
        == rdn_set(v),
        "issuerdn": lambda s, c, v: rdn_set(c.get("certificate.issuer", ""))
        == rdn_set(v),
        "serial": lambda s, c, v: c.get("certificate.serial", "").lstrip(
            "0").upper() == v.replace(":", "").lstrip("0").upper(),
        "fingerprint": lambda s, c, v: c.get("fingerprint_sha1") ==
        v.replace(":", "").lower(),
        "version": lambda s, c, v: s.get("version") ==
        {"TLSv1": "TLSv10", "TLS 1.2": "TLSv12", "TLS 1.3": "TLSv13",
         "TLSv1.1": "TLSv11", "SSLv3": "SSLv3"}.get(v, v),
        "notbefore": lambda s, c, v: abs(c.get(
            "certificate.not_valid_before", 0) - iso(v)) < 1,
        "notafter": lambda s, c, v: abs(c.get(
            "certificate.not_valid_after", 0) - iso(v)) < 1,
    }
    for key, fn in checks.items():
        v = val(key)
        if v is None:
            continue
        t.cmp(known, name, key, v, any(fn(s, c, v) for s, c in leafs))


def iso(v):
    import calendar
    import time
    return calendar.timegm(time.strptime(v, "%Y-%m-%dT%H:%M:%S"))


def sv_rules(pp, d, t, known, name):
    """tls.fingerprint / subject / issuer content rules: some cert has it."""
    all_certs = pp.x509
    for rules in glob.glob(os.path.join(d, "*.rules")):
        for line in open(rules):
            if line.startswith("#"):
                continue
            for fp in re.findall(r"tls\.fingerprint:\s*\"([0-9a-f:]+)\"",
                                 line):
                # sids 1-4 of tls-fingerprint-alert must match, 5 must not
                sid = re.search(r"sid:\s*(\d+)", line)
                must = not (sid and sid.group(1) == "5" and
                            "fingerprint-alert" in d)
                have = any(c.get("fingerprint_sha1") == fp.replace(":", "")
                           for c in all_certs)
                t.cmp(known, name, "rule-fingerprint", fp,
                      have if must else True)
            for key, field in (("tls_cert_issuer", "certificate.issuer"),
                               ("tls.cert_subject", "certificate.subject")):
                if key in line:
                    m = re.search(r"content:\s*\"([^\"]+)\"", line)
                    if m:
                        t.cmp(known, name, "rule-" + key, m.group(1), any(
                            m.group(1) in c.get(field, "")
                            for c in all_certs))


def sv_counts(pp, yml, t, known, name):
    if "tls.session_resumed: true" in yml:
        m = re.search(r"count:\s*(\d+)\s*\n\s*match:\s*\n\s*event_type: tls"
                      r"\s*\n\s*tls.session_resumed: true", yml)
        if m:
            n = sum(1 for s in pp.ssl if s.get("resumed"))
            t.cmp(known, name, "resumed-count", m.group(1),
                  n == int(m.group(1)))
    m = re.search(r"count:\s*(\d+)\s*\n\s*match:\s*\n\s*event_type: tls\s*\n"
                  r"\s*has-key: tls.subjectaltname", yml)
    if m:
        n = sum(1 for s, c in sv_certs(pp) if c.get("san.dns"))
        t.cmp(known, name, "san-count", m.group(1), n == int(m.group(1)))


def check_suricata(exe, corpus, known, tmp, cache):
    t = Tally("suricata")
    print("\n== 4. suricata-verify TLS tests")
    for yml_path in sorted(glob.glob(os.path.join(
            corpus, "pcap", "suricata-verify", "**", "test.yaml"),
            recursive=True)):
        d = os.path.dirname(yml_path)
        yml = open(yml_path).read()
        rules = "".join(open(r).read() for r in glob.glob(d + "/*.rules"))
        if "tls" not in yml and not re.search(r"\btls[._]", rules):
            continue
        if "quic.ja4" in yml:
            continue  # QUIC: the QUIC engineer's check
        caps = [p for p in glob.glob(d + "/*") if p.endswith(CAPTURE_EXT)]
        if not caps:
            continue
        name = rel(d, os.path.join(corpus, "pcap"))
        pp = cache(caps[0])
        before = t.fields
        sv_ja4(pp, yml, t, known, name)
        sv_cert_fields(pp, yml, t, known, name)
        sv_rules(pp, d, t, known, name)
        sv_counts(pp, yml, t, known, name)
        if t.fields > before:
            t.caps += 1
            t.flows += len(pp.ssl)
            print("%-52s checks %2d  ssl records %3d" % (
                name, t.fields - before, len(pp.ssl)))
    return t


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    exe, corpus, known_path = sys.argv[1:]
    known = Known(known_path)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        def cache(cap):
            if cap not in results:
                results[cap] = Peephole(exe, cap, tmp)
            return results[cap]
        tallies = [f(exe, corpus, known, tmp, cache) for f in (
            check_tshark, check_ja4, check_ndpi, check_suricata)]
    print("\n== summary")
    for t in tallies:
        print(t.line())
    tot = sum(t.fields for t in tallies)
    bad = sum(t.bad for t in tallies)
    kn = sum(t.known for t in tallies)
    print("TOTAL fields compared %d, agree %d (%.1f%%), known %d, "
          "unexplained mismatches %d" % (tot, tot - bad - kn,
                                         100.0 * (tot - bad - kn) /
                                         max(tot, 1), kn, bad))
    for t in tallies:
        for f in t.failures:
            print("FAIL", t.name, f)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
