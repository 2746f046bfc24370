#!/usr/bin/env python3
"""Seed corpus for fuzz/fuzz_seal_verify.c: small sealed archives made with the
kensa CLI (synthetic syslog), their archive key and days packed as the target reads
them (with the first entries of the list of day keys in some: the whole list is
3 MB), and a few damaged variants. usage: gen_seal_corpus.py KENSA OUTDIR"""
import os, shutil, struct, subprocess, sys, tempfile

SEP = b"\xffKS\xff"
NAMES = ["checkpoint", "records", "files", "00000000.zst", "00000001.zst"]

def pack(key, daydirs, keys=None):
    parts = [key]
    for d in daydirs:
        for n in NAMES:
            p = os.path.join(d, n)
            parts.append(open(p, "rb").read() if os.path.exists(p) else b"")
    if keys is not None:
        parts.append(keys)
    while parts and not parts[-1]:
        parts.pop()
    return SEP.join(parts)

def head_of_keys(path, count):
    """The list of day keys cut to its first `count` entries (its signature then fails)."""
    d = open(path, "rb").read()
    head = d[:48] + struct.pack("<I", count) + d[52:116]
    return head + d[116:116 + 96 * count]

def main():
    kensa, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    tmp = tempfile.mkdtemp()
    try:
        seeds = []
        for k, (days, per) in enumerate([(1, 3), (2, 5), (2, 40), (1, 300), (2, 1)]):
            ev = os.path.join(tmp, f"ev{k}")
            os.makedirs(ev)
            with open(os.path.join(ev, "a.log"), "w") as f:
                for d in range(days):
                    for i in range(per):
                        f.write(f"<134>1 2026-01-0{d + 1}T{i % 24:02d}:{i % 60:02d}:00Z fw sshd 1 - - "
                                f"Failed password for u{i % 5} from 198.51.100.{i % 250} port {i} ssh2\n")
            arc = os.path.join(tmp, f"arc{k}")
            subprocess.run([kensa, "seal", "--archive", arc, "--through", "2026-01-02", ev],
                           check=True, stdout=subprocess.DEVNULL)
            dd = sorted(os.listdir(os.path.join(arc, "days")))
            hexkey = open(os.path.join(arc, "archive-key.pub")).read().strip()[3:].replace("-", "")
            keys = head_of_keys(os.path.join(arc, "keys"), 3) if k % 2 else None
            seeds.append(pack(bytes.fromhex(hexkey), [os.path.join(arc, "days", d) for d in dd[:2]],
                              keys))
        for i, s in enumerate(seeds):
            open(os.path.join(out, f"seed-{i}"), "wb").write(s)
            b = bytearray(s)
            for j, pos in enumerate([10, len(b) // 3, len(b) // 2, len(b) - 5]):
                c = bytearray(b)
                c[pos % len(c)] ^= 0x41
                open(os.path.join(out, f"seed-{i}-flip{j}"), "wb").write(bytes(c))
            open(os.path.join(out, f"seed-{i}-cut"), "wb").write(bytes(b[: len(b) // 2]))
    finally:
        shutil.rmtree(tmp)

if __name__ == "__main__":
    main()
