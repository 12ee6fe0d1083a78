#!/usr/bin/env python3
"""Writes a file that starts like BTF but is not: the header promises more
types than the file holds. For the inspect tests of bad BTF input.

    bad_btf.py OUTPUT
"""
import struct
import sys

# struct btf_header: magic, version, flags, hdr_len, type_off, type_len, str_off, str_len
header = struct.pack("<HBBIIIII", 0xEB9F, 1, 0, 24, 0, 4096, 4096, 16)
with open(sys.argv[1], "wb") as f:
    f.write(header + b"\0" * 8)
