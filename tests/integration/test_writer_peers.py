#!/usr/bin/python3
"""Files made by kensa's EVTX writer, read by python-evtx and evtxexport: every record
must have the same content as `kensa dump --format xml` gives.

Usage: test_writer_peers.py KENSA TEST_WRITER
  KENSA        the kensa program (its `simulate` verb makes two files)
  TEST_WRITER  tests/unit/test_writer (its --sample mode writes every value type)

Files compared:
  sample.evtx         every value type, Unicode, XML specials   python-evtx, evtxexport
  sample-arrays.evtx  the same with array values and cp1252     evtxexport
  sim/Security.evtx   `kensa simulate --seed 7`                 python-evtx, evtxexport
  sim/System.evtx     the same                                  python-evtx, evtxexport
(python-evtx cannot read numeric arrays at all and decodes ANSI strings as ASCII
only, so the array/cp1252 sample is for evtxexport alone.)

Records are compared element by element: names, attributes, text, children in
order. Only these representation differences are normalized, each for a reason:

python-evtx (0.6.1, Debian python3-evtx):
  P1 times (TimeCreated and FILETIME values) as "YYYY-MM-DD HH:MM:SS.ffffff" computed
     through a float, so its microseconds can be off by a few; kensa writes
     ISO 8601 with FILETIME's 100 ns. Equal if the second matches and the
     fraction is within 10 us.
  P2 an optional substitution without a value as an empty attribute (Qualifiers="",
     Guid="", UserID="", ActivityID="", RelatedActivityID=""); Windows, evtxexport and
     kensa leave the attribute out. Empty attributes kensa does not have are dropped.
  P3 GUIDs in lower case and booleans as True/False (Windows: upper case,
     true/false): compared case-insensitively.
  P4 hex integers zero-padded to their width (0x0000000000000000); Windows writes
     0x0. Compared as numbers.
  P5 binary values in base64; Windows writes upper-case hex. Compared as bytes.
  P6 SYSTEMTIME values with the milliseconds put in the microseconds' place
     (01:02:03.456 shown as 01:02:03.000456). Compared as that mapping.
evtxexport (libevtx 20181227, Debian libevtx-utils):
  P4 as above (0x00001234 for a 32-bit size_t).
  E1 floating point in C's %e form ("1.500000e+000"); compared as numbers.
  E2 negative 8- and 32-bit signed integers shown as a minus sign and the value of
     the bits below the sign bit (-5 as -123, -123456 as -2147360192), a libfvalue
     bug of that version; accepted when exactly that mapping of kensa's value.
  E3 characters outside the Basic Multilingual Plane decoded wrongly from their
     UTF-16 surrogate pair (U+1F600 comes out as U+1F201): such characters are
     removed from both sides before comparing.

The test prints "N passed, N failed"; it exits 77 (skipped) when python-evtx or
/usr/bin/evtxexport is not installed.
"""
import base64
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

passed = failed = 0


def check(cond, msg):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL:", msg)


def done():
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


def skip(why):
    print("SKIPPED:", why)
    print("0 passed, 0 failed")
    sys.exit(77)


if len(sys.argv) < 3:
    print("usage: test_writer_peers.py KENSA TEST_WRITER")
    sys.exit(2)
KENSA, TEST_WRITER = sys.argv[1], sys.argv[2]
if not os.path.exists("/usr/bin/evtxexport"):
    skip("/usr/bin/evtxexport is not installed (Debian package libevtx-utils)")
try:
    import Evtx.Evtx as pyevtx
except ImportError:
    skip("python-evtx is not installed for /usr/bin/python3 (Debian package python3-evtx)")

HEX = re.compile(r"^0x[0-9a-fA-F]+$")
INT = re.compile(r"^-?\d+$")
ISO = re.compile(r"^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(?:\.(\d+))?Z$")
PYTIME = re.compile(r"^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d+))?$")
ASTRAL = re.compile(r"[\U00010000-\U0010FFFF]")
FLOAT = re.compile(r"^-?\d+(?:\.\d+)?(?:e[+-]?\d+)?$", re.I)


def canon(el):
    tag = re.sub(r"\{[^}]*\}", "", el.tag)
    return [tag, dict(el.attrib), (el.text or "").strip(), [canon(c) for c in el]]


def frac_ns(digits):
    return int((digits or "0").ljust(9, "0")[:9])


def same(k, p, peer):
    """Whether kensa's text k and the peer's text p say the same thing."""
    if peer == "evtxexport":  # E3
        k, p = ASTRAL.sub("", k), ASTRAL.sub("", p)
    if k == p:
        return True
    if HEX.match(k) and HEX.match(p):  # P4
        return int(k, 16) == int(p, 16)
    if peer == "python-evtx":
        if k.lower() == p.lower():  # P3
            return True
        m1, m2 = ISO.match(k), PYTIME.match(p)
        if m1 and m2 and m1.group(1) == m2.group(1) and m1.group(2) == m2.group(2):
            f1, f2 = frac_ns(m1.group(3)), frac_ns(m2.group(3))
            if abs(f1 - f2) <= 10000:  # P1
                return True
            if m1.group(3) and len(m1.group(3)) == 3:  # P6: .456 shown as .000456
                return f2 == int(m1.group(3)) * 1000
        if re.match(r"^([0-9A-F]{2})+$", k):  # P5
            try:
                return base64.b64decode(p, validate=True) == bytes.fromhex(k)
            except Exception:
                return False
    else:
        if FLOAT.match(k) and FLOAT.match(p) and "e" in p.lower():  # E1
            return float(k) == float(p)
        if INT.match(k) and INT.match(p) and int(k) < 0:  # E2
            v = int(k)
            return any(v >= -(1 << (b - 1)) and
                       int(p) == -((v & ((1 << b) - 1)) & ((1 << (b - 1)) - 1))
                       for b in (8, 32))
    return False


def diff(k, p, peer, path=""):
    """The first difference between kensa's element k and the peer's p, or None."""
    if k[0] != p[0]:
        return f"{path}: element {k[0]} vs {p[0]}"
    path = f"{path}/{k[0]}"
    pa = dict(p[1])
    if peer == "python-evtx":  # P2
        pa = {a: v for a, v in pa.items() if v != "" or a in k[1]}
    if set(k[1]) != set(pa):
        return f"{path}: attributes {sorted(k[1])} vs {sorted(pa)}"
    for a in k[1]:
        if not same(k[1][a], pa[a], peer):
            return f"{path}/@{a}: {k[1][a]!r} vs {pa[a]!r}"
    if not same(k[2], p[2], peer):
        return f"{path}: text {k[2][:60]!r} vs {p[2][:60]!r}"
    kk, pk = k[3], p[3]
    if len(kk) != len(pk):
        return f"{path}: children {[c[0] for c in kk]} vs {[c[0] for c in pk]}"
    for a, b in zip(kk, pk):
        d = diff(a, b, peer, path)
        if d:
            return d
    return None


def kensa_records(path):
    r = subprocess.run([KENSA, "dump", "-q", "--threads", "1", "--format", "xml", path],
                       capture_output=True)
    check(r.returncode == 0, f"{path}: kensa dump exit status {r.returncode}: "
          f"{r.stderr.decode(errors='replace')[:300]}")
    return [canon(e) for e in ET.fromstring(r.stdout.decode())]


def python_records(path):
    with pyevtx.Evtx(path) as log:
        return [canon(ET.fromstring(rec.xml())) for rec in log.records()]


def evtxexport_records(path):
    r = subprocess.run(["/usr/bin/evtxexport", "-f", "xml", path], capture_output=True)
    check(r.returncode == 0, f"{path}: evtxexport exit status {r.returncode}: "
          f"{r.stderr.decode(errors='replace')[-300:]}")
    text = r.stdout.decode("utf-8", "replace")
    return [canon(ET.fromstring(e)) for e in re.findall(r"<Event xmlns.*?</Event>", text, re.S)]


def compare(path, peers, min_records):
    name = os.path.basename(os.path.dirname(path)) + "/" + os.path.basename(path)
    ks = kensa_records(path)
    check(len(ks) >= min_records, f"{name}: {len(ks)} records, expected at least {min_records}")
    for peer, read in peers:
        try:
            theirs = read(path)
        except Exception as e:
            check(False, f"{name}: {peer} cannot read it: {e}")
            continue
        check(len(ks) == len(theirs), f"{name}: kensa {len(ks)} records, {peer} {len(theirs)}")
        bad = 0
        for i, (a, b) in enumerate(zip(ks, theirs)):
            d = diff(a, b, peer)
            if d:
                bad += 1
                if bad <= 3:
                    print(f"  {name} record {i + 1} vs {peer}: {d}")
        check(bad == 0, f"{name}: {bad} of {len(ks)} records differ from {peer}")
        print(f"{name}: {min(len(ks), len(theirs))} records compared with {peer}")


BOTH = (("python-evtx", python_records), ("evtxexport", evtxexport_records))
tmp = tempfile.mkdtemp(prefix="kensa-writer-peers-")
try:
    sample = os.path.join(tmp, "sample.evtx")
    arrays = os.path.join(tmp, "sample-arrays.evtx")
    r1 = subprocess.run([TEST_WRITER, "--sample", sample, "--ascii"])
    r2 = subprocess.run([TEST_WRITER, "--sample", arrays, "--arrays"])
    r3 = subprocess.run([KENSA, "simulate", "-o", os.path.join(tmp, "sim"), "--seed", "7"],
                        capture_output=True)
    check(r1.returncode == 0 and r2.returncode == 0, "test_writer --sample wrote the samples")
    check(r3.returncode == 0, f"kensa simulate: {r3.stderr.decode(errors='replace')[:300]}")
    compare(sample, BOTH, 1200)
    compare(arrays, BOTH[1:], 1200)
    compare(os.path.join(tmp, "sim", "Security.evtx"), BOTH, 300)
    compare(os.path.join(tmp, "sim", "System.evtx"), BOTH, 10)
finally:
    shutil.rmtree(tmp, ignore_errors=True)
done()
