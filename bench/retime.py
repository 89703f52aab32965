#!/usr/bin/env python3
"""Rewrite the timestamps of a classic pcap so time only moves forward.

Reads a classic pcap (either byte order, microsecond or nanosecond magic)
and writes a little-endian microsecond pcap with the same link type and
packets. Each packet keeps its original gap to the previous one, except
that a gap below zero becomes 1 us and a gap above --max-gap (default 2 s)
becomes --join-gap (default 0.5 s): joined captures then play back as one
continuous session. Standard library only; streams, so memory stays flat.

usage: retime.py IN.pcap OUT.pcap [--start EPOCH] [--max-gap S] [--join-gap S]
"""
import argparse
import struct
import sys

MAGICS = {
    b"\xd4\xc3\xb2\xa1": ("<", 1000),  # little-endian, microseconds
    b"\xa1\xb2\xc3\xd4": (">", 1000),
    b"\x4d\x3c\xb2\xa1": ("<", 1),     # little-endian, nanoseconds
    b"\xa1\xb2\x3c\x4d": (">", 1),
}


def retime(src, dst, start_ns, max_gap_ns, join_gap_ns):
    head = src.read(24)
    if len(head) < 24 or head[:4] not in MAGICS:
        raise ValueError("not a classic pcap file (pcapng? convert it with"
                         " editcap -F pcap first)")
    order, ns_per_tick = MAGICS[head[:4]]
    _, _, _, _, snaplen, linktype = struct.unpack(order + "HHiIII", head[4:])
    dst.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0,
                          max(snaplen, 65535), linktype))
    rec = struct.Struct(order + "IIII")
    out_rec = struct.Struct("<IIII")
    prev_in = None
    now = start_ns
    count = 0
    while True:
        h = src.read(16)
        if len(h) < 16:
            break
        sec, frac, caplen, origlen = rec.unpack(h)
        data = src.read(caplen)
        if len(data) < caplen:
            break  # truncated last record: drop it
        t_in = sec * 1_000_000_000 + frac * ns_per_tick
        if prev_in is not None:
            gap = t_in - prev_in
            if gap < 0:
                gap = 1000
            elif gap > max_gap_ns:
                gap = join_gap_ns
            now += gap
        prev_in = t_in
        us = now // 1000
        dst.write(out_rec.pack(us // 1_000_000, us % 1_000_000, caplen,
                               origlen))
        dst.write(data)
        count += 1
    return count, now - start_ns


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("infile")
    ap.add_argument("outfile")
    ap.add_argument("--start", type=float, default=1773446400.0,
                    help="first packet time, Unix seconds "
                         "(default 2026-03-14 00:00:00 UTC)")
    ap.add_argument("--max-gap", type=float, default=2.0)
    ap.add_argument("--join-gap", type=float, default=0.5)
    a = ap.parse_args()
    with open(a.infile, "rb", buffering=1 << 20) as src, \
            open(a.outfile, "wb", buffering=1 << 20) as dst:
        n, span = retime(src, dst, int(a.start * 1e9),
                         int(a.max_gap * 1e9), int(a.join_gap * 1e9))
    print(f"retime: {n} packets over {span / 1e9:.1f} s -> {a.outfile}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
