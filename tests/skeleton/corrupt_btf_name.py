#!/usr/bin/env python3
"""corrupt_btf_name.py IN OUT NAME: copies the BPF object IN to OUT with the
.BTF name offset of every type, member or enumerator named NAME pointed past
the end of the string section, as a corrupt or crafted object would have it
(libbpf 1.1 then returns NULL for the name). Exits 1 when NAME is not found.
"""
import struct
import sys

BAD_OFFSET = 0x7FFFFFF0

# Bytes after the 12-byte btf_type, by kind: fixed, or per vlen entry.
FIXED = {1: 4, 3: 12, 14: 4, 17: 4}          # INT, ARRAY, VAR, DECL_TAG
PER_ENTRY = {4: 12, 5: 12, 6: 8, 13: 8, 15: 12, 19: 12}  # STRUCT UNION ENUM FUNC_PROTO DATASEC ENUM64
NAMED_ENTRIES = {4, 5, 6, 13, 19}             # entries that start with a name offset


def btf_section(elf):
    if elf[:4] != b"\x7fELF" or elf[4] != 2 or elf[5] != 1:
        sys.exit("not a little-endian 64-bit ELF file")
    shoff, = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", elf, 0x3A)
    headers = [struct.unpack_from("<IIQQQQIIQQ", elf, shoff + i * shentsize) for i in range(shnum)]
    names_at = headers[shstrndx][4]
    for h in headers:
        end = elf.index(b"\0", names_at + h[0])
        if elf[names_at + h[0]:end] == b".BTF":
            return h[4]
    sys.exit("no .BTF section")


def main():
    source, target, wanted = sys.argv[1], sys.argv[2], sys.argv[3].encode()
    elf = bytearray(open(source, "rb").read())
    base = btf_section(elf)
    hdr_len, type_off, type_len, str_off, _ = struct.unpack_from("<IIIII", elf, base + 4)
    strings = base + hdr_len + str_off

    def name_at(offset):
        start = strings + offset
        return bytes(elf[start:elf.index(b"\0", start)])

    def corrupt(at):
        name_off, = struct.unpack_from("<I", elf, at)
        if name_off and name_at(name_off) == wanted:
            struct.pack_into("<I", elf, at, BAD_OFFSET)
            return 1
        return 0

    found = 0
    at, end = base + hdr_len + type_off, base + hdr_len + type_off + type_len
    while at < end:
        info, = struct.unpack_from("<I", elf, at + 4)
        kind, vlen = (info >> 24) & 0x1F, info & 0xFFFF
        found += corrupt(at)
        entries = at + 12 + FIXED.get(kind, 0)
        if kind in NAMED_ENTRIES:
            for i in range(vlen):
                found += corrupt(entries + i * PER_ENTRY[kind])
        at = entries + vlen * PER_ENTRY.get(kind, 0)
    if not found:
        sys.exit("no type, member or enumerator named " + sys.argv[3])
    open(target, "wb").write(elf)


main()
