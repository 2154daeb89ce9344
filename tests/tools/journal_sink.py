#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Stands in for journald's native socket in the tests: binds a unix
datagram socket at PATH and prints every entry it receives, one FIELD=value
per line and a line "--" after each entry, until COUNT entries arrived or
TIMEOUT seconds passed. Entries use journald's native protocol; a value
holding a newline comes as FIELD, newline, 64-bit little-endian length,
value, newline, and is printed as FIELD=value with the newline escaped.

usage: journal_sink.py PATH [COUNT [TIMEOUT]]
"""
import os
import socket
import struct
import sys


def fields(data):
    out = []
    while data:
        line, nl, rest = data.partition(b"\n")
        if b"=" in line:
            out.append(line.decode("utf-8", "replace"))
            data = rest
            continue
        (n,) = struct.unpack("<Q", rest[:8])
        value = rest[8:8 + n]
        out.append(line.decode() + "=" + value.decode("utf-8", "replace")
                   .replace("\n", "\\n"))
        data = rest[8 + n + 1:]
    return out


def main():
    path = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    timeout = float(sys.argv[3]) if len(sys.argv) > 3 else 10
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path + ".tmp")
    os.rename(path + ".tmp", path)  # appears only once bound
    sock.settimeout(timeout)
    try:
        for _ in range(count):
            data = sock.recv(1 << 20)
            for f in fields(data):
                print(f)
            print("--", flush=True)
    except socket.timeout:
        print("timeout", flush=True)


if __name__ == "__main__":
    main()
