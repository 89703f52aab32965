#!/usr/bin/env python3
"""peephole check's detections vs nDPI's flow risks on the nDPI corpus, and
required / forbidden findings on named captures (see detect_vs_ndpi.sh).
usage: detect_vs_ndpi.py PEEPHOLE CORPUS_ROOT"""
import concurrent.futures as cf
import glob
import json
import os
import subprocess
import sys

ph, root = sys.argv[1:3]
SEV = ["info", "low", "medium", "high", "critical"]

# nDPI risk -> finding id prefixes that are about the same thing.
KINDS = [
    ("Self-signed Cert", ["bad_cert.self_signed"]),
    ("TLS Cert Expired", ["bad_cert.expired", "bad_cert.not_yet_valid"]),
    ("TLS Cert Mismatch", ["bad_cert.name_mismatch"]),
    ("TLS Cert Validity Too Long", ["bad_cert.long_validity"]),
    ("Obsolete TLS (v1.1 or older)", ["weak_tls.old_version", "weak_tls.old_hello",
                                      "weak_tls.sslv2_hello"]),
    ("Weak TLS Cipher", ["weak_tls.weak_cipher", "weak_tls.no_forward_secrecy",
                         "weak_tls.cbc_only"]),
    ("Missing SNI TLS Extn", ["weak_tls.no_sni"]),
    ("Clear-Text Credentials", ["cleartext_creds.", "cleartext_http.basic_auth",
                                "cleartext_http.digest_auth", "cleartext_http.auth"]),
    ("Susp DNS Traffic", ["dns_tunnel."]),
    ("Susp DGA Domain name", ["dns_tunnel.dga", "dns_tunnel.tunnel"]),
    ("Binary App Transfer", ["payload."]),
    ("Known Proto on Non Std Port", ["unusual_port.known_proto"]),
    ("Unsafe Protocol", ["cleartext_creds.", "listener.remote_access"]),
    ("Desktop/File Sharing", ["remote_access.remote_desktop"]),
]

# Captures that must give a finding starting with one of the prefixes.
REQUIRED = [
    ("ndpi/dns-tunnel-iodine.pcap", ["dns_tunnel."]),
    ("ndpi/dns2tcp_tunnel.pcap", ["dns_tunnel.", "weak_tls.", "unusual_port."]),
    ("ndpi/dns-exf.pcap", ["dns_tunnel."]),
    ("ndpi/bad-dns-traffic.pcap", ["dns_tunnel."]),
    ("zeek/ftp/bruteforce.pcap", ["cleartext_creds."]),
    ("zeek/tls/heartbleed.pcap", ["tls_attack.heartbleed"]),
    ("zeek/tls/missing-intermediate.pcap", ["bad_cert.incomplete_chain"]),
    ("zeek/tls/ssl.v3.pcap", ["weak_tls.old_version", "weak_tls.sslv2_hello"]),
    ("zeek/tls/tls1_1.pcap", ["weak_tls.old_version"]),
    ("arkime/ftp.pcap", ["cleartext_creds.ftp"]),
    ("arkime/imap.pcap", ["cleartext_creds.imap"]),
    ("arkime/ldap-simpleauth.pcap", ["cleartext_creds.ldap"]),
    ("arkime/http-digestauth.pcap", ["cleartext_http."]),
    ("arkime/openssl-tls1.pcap", ["weak_tls.old_version"]),
    ("ndpi/tls_malicious_sha1.pcapng", []),
]

# Benign mobile-app captures: nothing above low.
BENIGN = ["whatsapp", "signal", "telegram", "netflix", "iphone", "android",
          "waze", "instagram", "facebook", "youtube", "spotify", "skype",
          "wechat", "viber", "snapchat", "tiktok", "google"]


def risks_of(out_path):
    """The nDPI risk names present in an expected .out file."""
    text = open(out_path, errors="replace").read()
    return {k for k, _ in KINDS if "Risk: " in text and k in text}


def check(cap):
    p = subprocess.run([ph, "check", "-q", "--json", "--no-cache", cap],
                       capture_output=True, text=True)
    try:
        return cap, json.loads(p.stdout)["findings"], p.returncode
    except ValueError:
        return cap, None, p.returncode


def matches(findings, prefixes):
    return [f for f in findings if any(f["id"].startswith(p) for p in prefixes)]


caps = sorted(p for p in glob.glob(os.path.join(root, "pcap/**/*"), recursive=True)
              if os.path.isfile(p) and p.rsplit(".", 1)[-1] in ("pcap", "pcapng", "cap", "gz"))
with cf.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as ex:
    results = {c: (f, rc) for c, f, rc in ex.map(check, caps)}
fail = 0
broken = [c for c, (f, rc) in results.items() if f is None]
for c in broken:
    print(f"FAIL {os.path.relpath(c, root)}: no JSON report (exit {results[c][1]})")
fail += len(broken)

# --- 1. agreement table ---------------------------------------------------
print(f"{'nDPI risk':32} {'nDPI':>5} {'peephole':>8} {'both':>5} {'agree':>6} {'recall':>7}")
tot_both = tot_either = tot_nd = 0
for kind, prefixes in KINDS:
    nd, pp = set(), set()
    for out in glob.glob(os.path.join(root, "expected/ndpi/*.out")):
        cap = os.path.join(root, "pcap/ndpi", os.path.basename(out)[:-4])
        if cap not in results or results[cap][0] is None:
            continue
        if kind in risks_of(out):
            nd.add(cap)
        if matches(results[cap][0], prefixes):
            pp.add(cap)
    both, either = nd & pp, nd | pp
    tot_both += len(both)
    tot_either += len(either)
    tot_nd += len(nd)
    agree = f"{100 * len(both) / len(either):.0f}%" if either else "-"
    recall = f"{100 * len(both) / len(nd):.0f}%" if nd else "-"
    print(f"{kind:32} {len(nd):5} {len(pp):8} {len(both):5} {agree:>6} {recall:>7}")
    for c in sorted(nd - pp):
        print(f"    nDPI only:     {os.path.basename(c)}")
    for c in sorted(pp - nd):
        ids = sorted({f['id'] for f in matches(results[c][0], prefixes)})
        print(f"    peephole only: {os.path.basename(c)} {ids}")
if tot_either:
    print(f"TOTAL risk agreement (both / either): {tot_both}/{tot_either} "
          f"({100 * tot_both / tot_either:.0f}%); nDPI's flags peephole also "
          f"raises: {tot_both}/{tot_nd} ({100 * tot_both / max(tot_nd, 1):.0f}%)")

# --- 2. required findings, benign captures -------------------------------
for rel, prefixes in REQUIRED:
    cap = os.path.join(root, "pcap", rel)
    if cap not in results or not prefixes:
        continue
    hit = matches(results[cap][0] or [], prefixes)
    print(f"{'ok  ' if hit else 'FAIL'} {rel}: {sorted({f['id'] for f in hit})}")
    fail += not hit
fp_total = 0
for cap in caps:
    name = os.path.basename(cap).lower()
    if "/ndpi/" not in cap or not any(b in name for b in BENIGN):
        continue
    fs = results[cap][0] or []
    above = [f for f in fs if SEV.index(f["severity"]) > 1]
    low = [f for f in fs if SEV.index(f["severity"]) <= 1 and f["id"] != "allow.listed"]
    fp_total += len(above)
    print(f"{'ok  ' if not above else 'FAIL'} benign {os.path.basename(cap)}: "
          f"{len(above)} above low, {len(low)} info/low"
          + (f" {sorted({(f['id'], f['severity']) for f in above})}" if above else ""))
    fail += bool(above)
print(f"TOTAL benign false positives above low: {fp_total}")
sys.exit(1 if fail else 0)
