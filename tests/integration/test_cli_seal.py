#!/usr/bin/python3
"""`kensa seal`, `verify`, `prove` and `verify-proof` as an administrator runs them: a
folder with the simulated .evtx files and a VPN syslog is sealed (the archive key
is printed and written to archive-key.pub), the same files again are not sealed twice,
a second run adds days without logs; verify says
intact with the counts; a proof of one EVTX record holds with the printed key and
fails with another, and is under 1.5 KB; a first-format (ks1-) key is refused by
name; a changed byte in a stored file and a removed day each make
verify exit 1 and name the day; --help works in both languages.

Usage: test_cli_seal.py KENSA     (prints "N passed, N failed")
"""
import os
import re
import shutil
import subprocess
import tempfile

from harness import KENSA, check, done, kensa as run

tmp = tempfile.mkdtemp()
try:
    ev = os.path.join(tmp, "ev")
    subprocess.run([KENSA, "simulate", "-o", ev], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    with open(os.path.join(ev, "vpn.log"), "w") as f:
        for i in range(500):
            f.write(f"<134>1 2024-10-14T{i % 24:02d}:{i % 60:02d}:{i % 60:02d}Z vpn01 sshd 7 - - "
                    f"Failed password for u{i % 9} from 198.51.100.{i % 200} port {i} ssh2\n")
    with open(os.path.join(ev, "note.docx"), "wb") as f:
        f.write(bytes(range(256)) * 4)
    arc = os.path.join(tmp, "archive")
    rc, out, err = run("seal", "--archive", arc, ev)
    check(rc == 0, f"seal exit {rc}: {err}")
    m = re.search(r"(ks2(-[0-9a-f]{8}){8})", out)
    check(m is not None, "the archive key is printed: " + out)
    key = m.group(1) if m else ""
    check(open(os.path.join(arc, "archive-key.pub")).read().strip() == key, "archive-key.pub")
    check(os.path.getsize(os.path.join(arc, "keys")) == 116 + 32768 * 96, "keys for 32768 days")
    check("note.docx" in err, "a file that is not evidence is named: " + err)
    check("sealed 3 files" in out, "three files sealed: " + out)
    days = sorted(os.listdir(os.path.join(arc, "days")))
    check(days[0] == "2024-10-14", f"first day {days[:1]}")
    # the same folder again: nothing is sealed twice
    rc, out, err = run("seal", "--archive", arc, ev)
    check(rc == 0 and "nothing new to seal" in out, f"same evidence again: {rc} {out}")
    check(err.count("already in the archive") == 3, "identical files named: " + err)
    # a second run seals the following days up to a given one, with no logs
    rc, out, err = run("seal", "--archive", arc, "--through", "2024-10-20")
    check(rc == 0 and "into 5 days" in out, f"empty days sealed: {rc} {out} {err}")
    rc, out, err = run("verify", "--archive", arc, "--key", key)
    check(rc == 0 and out.startswith("intact: 7 days (2024-10-14 to 2024-10-20, 5 without logs)"),
          f"verify intact: {rc} {out}")
    rc, out, err = run("verify", "--archive", arc, "--key", key, "--until", "2024-10-25")
    check(rc == 1 and "2024-10-21" in out, f"--until past the end: {rc} {out}")
    # a proof of one record, checked with the key alone
    proof = os.path.join(tmp, "r.proof")
    rc, out, err = run("prove", "--archive", arc, "-o", proof, "Security.evtx#42")
    check(rc == 0 and "proof of record" in out, f"prove: {rc} {out} {err}")
    rc, out, err = run("verify-proof", "--key", key, proof)
    check(rc == 0 and "record id 42" in out, f"verify-proof: {rc} {out}")
    check(os.path.getsize(proof) < 1500, f"proof size {os.path.getsize(proof)}")
    rc, out, err = run("verify-proof", "--key", "ks1" + key[3:], proof)
    check(rc == 2 and "first archive format" in err, f"a ks1- key: {rc} {err}")
    other = key[:-1] + ("0" if key[-1] != "0" else "1")
    rc, out, err = run("verify-proof", "--key", other, proof)
    check(rc == 1 and "NOT" in out, f"another key: {rc} {out}")
    # damage: one byte of a stored file, then a day removed
    z = os.path.join(arc, "days", "2024-10-14", "00000001.zst")
    data = bytearray(open(z, "rb").read())
    data[len(data) // 2] ^= 1
    open(z, "wb").write(bytes(data))
    rc, out, err = run("verify", "--archive", arc, "--key", key)
    check(rc == 1 and "day 2024-10-14" in out and "TAMPERED" in out, f"flipped byte: {rc} {out}")
    data[len(data) // 2] ^= 1
    open(z, "wb").write(bytes(data))
    shutil.move(os.path.join(arc, "days", "2024-10-17"), os.path.join(tmp, "gone"))
    rc, out, err = run("verify", "--archive", arc, "--key", key)
    check(rc == 1 and "day 2024-10-17" in out and "missing" in out, f"day removed: {rc} {out}")
    check("the 3 days before it are intact" in out, "days before: " + out)
    for lang in ("en", "ja"):
        for verb in ("seal", "verify", "prove", "verify-proof"):
            p = subprocess.run([KENSA, "--lang", lang, verb, "--help"], stdout=subprocess.PIPE)
            check(p.returncode == 0 and len(p.stdout) > 100, f"{verb} --help ({lang})")
    rc, out, err = run("verify", "--archive", arc, "--key", "ks2-nothex")
    check(rc == 2, "a bad key is a usage error")
finally:
    shutil.rmtree(tmp)

done()
