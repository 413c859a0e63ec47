#!/usr/bin/env python3
# extract-vmlinux.py BZIMAGE OUT: decompresses the payload of a bzImage into the ELF vmlinux, which
# qemu boots through its PVH entry (docs/vm-harness.md §4: saves the in-guest decompression, ~5.5 s
# of TCG time for XZ). XZ (Debian 12) is read with Python's lzma; zstd (Debian 14) with the zstd
# command when it is installed. Exits 1 if no ELF comes out (the harness then boots the bzImage).
import lzma
import shutil
import subprocess
import sys

data = open(sys.argv[1], "rb").read()


def try_xz(start):
    try:
        return lzma.LZMADecompressor().decompress(data[start:])
    except lzma.LZMAError:
        return b""


def try_zstd(start):
    if shutil.which("zstd") is None:
        return b""
    r = subprocess.run(["zstd", "-qdc"], input=data[start:], capture_output=True)
    return r.stdout  # trailing bytes after the frame make zstd complain; the frame is complete


for magic, fn in ((b"\xfd7zXZ\x00", try_xz), (b"\x28\xb5\x2f\xfd", try_zstd)):
    start = data.find(magic)
    while start >= 0:
        out = fn(start)
        if out[:4] == b"\x7fELF":
            open(sys.argv[2], "wb").write(out)
            sys.exit(0)
        start = data.find(magic, start + 1)
sys.exit(1)
