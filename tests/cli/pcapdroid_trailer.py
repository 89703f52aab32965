#!/usr/bin/env python3
"""Rewrites a little-endian classic pcap (Ethernet) the way PCAPdroid dumps
with its per-packet trailer: each IPv4/IPv6 frame gets 0-3 zero pad bytes to
a 4-byte boundary and a 32-byte trailer (magic 0x01072021, uid, 20-byte app
name, 4-byte fcs). Frames to/from TCP port 443 of 157.240.0.0/16 get uid
10123 "com.facebook.katana", other IP frames uid 10077 "com.example.weather".
Usage: pcapdroid_trailer.py IN OUT"""
import struct
import sys

FB = (10123, b"com.facebook.katana")
OTHER = (10077, b"com.example.weather")


def pick(frame):
    et = struct.unpack(">H", frame[12:14])[0]
    if et == 0x0800:
        ip = frame[14:]
        src, dst = ip[12:16], ip[16:20]
        return FB if (src[:2] == b"\x9d\xf0" or dst[:2] == b"\x9d\xf0") else OTHER
    if et == 0x86DD:
        return OTHER
    return None


def main():
    data = open(sys.argv[1], "rb").read()
    assert data[:4] == b"\xd4\xc3\xb2\xa1", "little-endian microsecond pcap expected"
    out = [data[:24]]
    off = 24
    while off + 16 <= len(data):
        sec, usec, incl, orig = struct.unpack("<IIII", data[off:off + 16])
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        app = pick(frame)
        if app:
            pad = (-len(frame)) % 4
            trailer = struct.pack(">Ii20sI", 0x01072021, app[0], app[1], 0)
            frame = frame + b"\0" * pad + trailer
        out.append(struct.pack("<IIII", sec, usec, len(frame), len(frame)) + frame)
    open(sys.argv[2], "wb").write(b"".join(out))


if __name__ == "__main__":
    main()
