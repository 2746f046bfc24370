"""Comparing `kensa dump --format xml` with python-evtx and evtxexport, record by
record: shared by tests/data/test_evtx_peers.py (the shared real logs) and
tests/integration/test_writer_peers.py (files kensa's writer made).

Records are compared element by element: names, attributes, text, children in
order. Only representation differences that can be named are normalized, each for
a reason:

python-evtx (0.6.1, Debian python3-evtx):
  P1 times as "YYYY-MM-DD HH:MM:SS.ffffff" computed through a float, so its
     microseconds can be off by a few; kensa writes ISO 8601 with FILETIME's 100 ns.
     Equal if the second matches and the fraction is within 10 us.
  P2 an optional substitution without value as an empty attribute (Qualifiers="")
     or an empty element (<Binary></Binary>); Windows and evtxexport leave them out,
     as kensa does.
  P3 GUIDs in lower case, booleans as True/False (Windows: upper case, true/false).
  P4 hex integers zero-padded (0x00000000000003e7); Windows writes 0x3e7.
  P5 binary values in base64; Windows writes upper-case hex.
  P6 an array value inside one element as <string>a</string><string>b</string>;
     Windows and evtxexport repeat the element per item, in order. python-evtx
     also mis-splits string arrays: it drops empty items, moves a leading empty
     one, repeats the tail of an item where an empty one was ('1039089' then
     '089') and cuts items at characters whose UTF-16 has a zero byte ('─').
     Against python-evtx we only check that each of its pieces occurs in one of
     kensa's items; evtxexport checks the items and their order exactly.
  P7 control characters raw (invalid XML 1.0); kensa shows them as Unicode control
     pictures (U+2400 + c). Both sides drop them before comparing.
  P8 SYSTEMTIME values with the milliseconds put in the microseconds' place
     (01:02:03.456 shown as 01:02:03.000456). Compared as that mapping.
evtxexport (libevtx 20181227, Debian libevtx-utils): P4 and P7, and
  E1 floating point in C's %e form ("1.500000e+000"); compared as numbers.
  E2 negative 8- and 32-bit signed integers shown as a minus sign and the value of
     the bits below the sign bit (-5 as -123, -123456 as -2147360192), a libfvalue
     bug of that version; accepted when exactly that mapping of kensa's value.
  E3 characters outside the Basic Multilingual Plane decoded wrongly from their
     UTF-16 surrogate pair (U+1F600 comes out as U+1F201): such characters are
     removed from both sides before comparing.
"""
import base64
import os
import re
import subprocess
import sys
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


def require_peers():
    """Skip the test (exit 77) when a peer is not installed; returns python-evtx."""
    if not os.path.exists("/usr/bin/evtxexport"):
        skip("evtxexport is not installed (scripts/install-deps installs libevtx-utils)")
    try:
        import Evtx.Evtx as pyevtx
    except ImportError:
        skip("python-evtx is not installed for /usr/bin/python3 "
             "(scripts/install-deps installs python3-evtx)")
    return pyevtx


CTRL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\u2400-\u241f]")
HEX = re.compile(r"^0x[0-9a-fA-F]+$")
INT = re.compile(r"^-?\d+$")
ISO = re.compile(r"^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(?:\.(\d+))?Z$")
PYTIME = re.compile(r"^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d+))?$")
ASTRAL = re.compile(r"[\U00010000-\U0010FFFF]")
FLOAT = re.compile(r"^-?\d+(?:\.\d+)?(?:e[+-]?\d+)?$", re.I)
STRINGS = re.compile(r"^(?:<string>(.*?)</string>\s*)+$", re.S)


def canon(el):
    """An element as [name, attributes, text, children], namespaces dropped."""
    tag = re.sub(r"\{[^}]*\}", "", el.tag)
    text = CTRL.sub("", el.text or "").strip()  # P7
    return [tag, dict(el.attrib), text, [canon(c) for c in el]]


def frac_ns(digits):
    return int((digits or "0").ljust(9, "0")[:9])


def same(k, p, peer):
    """Whether kensa's text k and the peer's text p say the same thing."""
    k, p = CTRL.sub("", k).strip(), CTRL.sub("", p).strip()  # P7
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
            if m1.group(3) and len(m1.group(3)) == 3:  # P8
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


def split_arrays(kids, pykids):
    """P6: pull the array items out of both child lists: returns (kensa items,
    python items, kensa rest, python rest)."""
    names = {c[0] for c in pykids if not c[3] and STRINGS.match(c[2])}
    if not names:
        return [], [], kids, pykids
    py_items = sorted(i.strip() for c in pykids if c[0] in names and not c[3]
                      for i in re.findall(r"<string>(.*?)</string>", c[2], re.S) if i.strip())
    k_items = sorted(c[2] for c in kids if c[0] in names and not c[1] and not c[3] and c[2])
    rest = lambda l: [c for c in l if not (c[0] in names and not c[1] and not c[3])]
    return k_items, py_items, rest(kids), rest(pykids)


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
    if peer == "python-evtx":
        k_items, py_items, kk, pk = split_arrays(kk, pk)  # P6
        if not all(any(i in k for k in k_items) for i in py_items):
            return f"{path}: array items {k_items} vs {py_items}"
        if len(pk) > len(kk):  # P2: empty elements python-evtx keeps
            names = [c[0] for c in kk]
            pk = [c for c in pk if c[1] or c[2] or c[3] or c[0] in names]
    if len(kk) != len(pk):
        return f"{path}: children {[c[0] for c in kk]} vs {[c[0] for c in pk]}"
    for a, b in zip(kk, pk):
        d = diff(a, b, peer, path)
        if d:
            return d
    return None


def kensa_records(kensa, path):
    """(exit status, records) of `kensa dump --format xml`."""
    r = subprocess.run([kensa, "dump", "-q", "--threads", "1", "--format", "xml", path],
                       capture_output=True)
    return r.returncode, [canon(e) for e in ET.fromstring(r.stdout.decode())]


def python_records(pyevtx, path):
    with pyevtx.Evtx(path) as log:
        return [canon(ET.fromstring(CTRL.sub("", rec.xml()))) for rec in log.records()]


def evtxexport_records(path):
    r = subprocess.run(["/usr/bin/evtxexport", "-f", "xml", path], capture_output=True)
    text = r.stdout.decode("utf-8", "replace")
    return [canon(ET.fromstring(CTRL.sub("", e)))
            for e in re.findall(r"<Event xmlns.*?</Event>", text, re.S)]


def compare(name, ks, peer, theirs):
    """Compare kensa's records with a peer's; returns how many were compared."""
    check(len(ks) == len(theirs), f"{name}: kensa {len(ks)} records, {peer} {len(theirs)}")
    bad = 0
    for i, (a, b) in enumerate(zip(ks, theirs)):
        d = diff(a, b, peer)
        if d:
            bad += 1
            if bad <= 3:
                print(f"  {name} record #{i + 1} vs {peer}: {d}")
    check(bad == 0, f"{name}: {bad} records differ from {peer}")
    return min(len(ks), len(theirs))
