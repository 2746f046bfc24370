#!/usr/bin/python3
"""Per-record content of `kensa dump --format xml` against python-evtx and evtxexport,
on every readable file of ../shared/data/evtx (attack, normal, realistic-mixed).

Both peers are compared element by element: names, attributes, text. Only
representation differences that can be named are normalized, each for a reason:

python-evtx (0.6.1, Debian python3-evtx):
  P1 it writes TimeCreated as "YYYY-MM-DD HH:MM:SS.ffffff" through a float, so
     its microseconds can be off by a few µs; kensa writes FILETIME's 100 ns.
  P2 it writes an optional substitution without value as an empty attribute
     (Qualifiers="") or an empty element (<Binary></Binary>); Windows and
     evtxexport leave them out, as kensa does.
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
evtxexport (libevtx 20181227): P4 and P7 only.

Files python-evtx or evtxexport cannot read at all are listed and must be read by
kensa with zero skipped records (the shared README names eight such files).
"""
import base64, os, re, subprocess, sys, xml.etree.ElementTree as ET

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
    print("usage: test_evtx_peers.py KENSA SHARED_DATA_DIR")
    sys.exit(2)
KENSA, DATA = sys.argv[1], os.environ.get("KS_SHARED_DATA") or sys.argv[2]
if not os.path.isdir(os.path.join(DATA, "evtx")):
    skip(f"shared test data not found at {DATA} (set KS_SHARED_DATA to ../shared/data)")
try:
    import Evtx.Evtx as pyevtx
except ImportError:
    skip("python-evtx is not installed (scripts/install-deps installs python3-evtx)")
if not os.path.exists("/usr/bin/evtxexport"):
    skip("evtxexport is not installed (scripts/install-deps installs libevtx-utils)")

CTRL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\u2400-\u241f]")
HEX = re.compile(r"^0x[0-9a-fA-F]+$")
ISO = re.compile(r"^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)\.(\d{9})Z$")
PYTIME = re.compile(r"^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d+))?$")
STRINGS = re.compile(r"^(?:<string>(.*?)</string>\s*)+$", re.S)


def canon(el):
    tag = re.sub(r"\{[^}]*\}", "", el.tag)
    text = CTRL.sub("", el.text or "").strip()
    return [tag, dict(el.attrib), text, [canon(c) for c in el]]


def same(k, p, peer):
    k, p = CTRL.sub("", k).strip(), CTRL.sub("", p).strip()
    if k == p:
        return True
    if HEX.match(k) and HEX.match(p):  # P4
        return int(k, 16) == int(p, 16)
    if peer == "python-evtx":
        if k.lower() == p.lower():  # P3
            return True
        m1, m2 = ISO.match(k), PYTIME.match(p)
        if m1 and m2:  # P1
            f1, f2 = int(m1.group(3)), int((m2.group(3) or "0").ljust(9, "0"))
            return m1.group(1) == m2.group(1) and m1.group(2) == m2.group(2) and abs(f1 - f2) <= 10000
        if re.match(r"^([0-9A-F]{2})+$", k):  # P5
            try:
                return base64.b64decode(p, validate=True) == bytes.fromhex(k)
            except Exception:
                return False
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
    """First difference between kensa's element k and the peer's p, or None."""
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
        k_items, py_items, kk, pk = split_arrays(kk, pk)
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


def kensa_records(path):
    r = subprocess.run([KENSA, "dump", "-q", "--threads", "1", "--format", "xml", path],
                       capture_output=True)
    return r.returncode, [canon(e) for e in ET.fromstring(r.stdout.decode())]


def python_records(path):
    out = []
    with pyevtx.Evtx(path) as log:
        for rec in log.records():
            out.append(canon(ET.fromstring(CTRL.sub("", rec.xml()))))
    return out


def evtxexport_records(path):
    r = subprocess.run(["/usr/bin/evtxexport", "-f", "xml", path], capture_output=True)
    text = r.stdout.decode("utf-8", "replace")
    return [canon(ET.fromstring(CTRL.sub("", e)))
            for e in re.findall(r"<Event xmlns.*?</Event>", text, re.S)]


files = []
for sub in ("attack", "normal", "realistic-mixed"):
    for root, _, names in os.walk(os.path.join(DATA, "evtx", sub)):
        files += [os.path.join(root, n) for n in names if n.endswith(".evtx")]
files.sort()
check(len(files) > 250, f"found {len(files)} evtx files")

unreadable = {"python-evtx": [], "evtxexport": []}
compared = {"python-evtx": 0, "evtxexport": 0}
for path in files:
    name = os.path.relpath(path, DATA)
    rc, ks = kensa_records(path)
    check(rc == 0, f"{name}: kensa exit status {rc} (a record was skipped)")
    for peer, read in (("python-evtx", python_records), ("evtxexport", evtxexport_records)):
        try:
            theirs = read(path)
        except Exception as e:  # the peer cannot read this file
            theirs = None
            why = str(e)
        if not theirs and ks:
            unreadable[peer].append(name)
            continue
        check(len(ks) == len(theirs), f"{name}: {len(ks)} records, {peer} {len(theirs)}")
        bad = 0
        for i, (a, b) in enumerate(zip(ks, theirs)):
            d = diff(a, b, peer)
            if d:
                bad += 1
                if bad <= 3:
                    print(f"  {name} record #{i + 1} vs {peer}: {d}")
        compared[peer] += min(len(ks), len(theirs))
        check(bad == 0, f"{name}: {bad} records differ from {peer}")

for peer in unreadable:
    print(f"{peer} could not read {len(unreadable[peer])} files that kensa read completely:")
    for n in unreadable[peer]:
        print("   ", n)
    print(f"{compared[peer]} records compared with {peer}")
    check(compared[peer] > 8000, f"{compared[peer]} records compared with {peer}")
# the shared README names eight files neither peer can read; kensa reads them all
check(len(unreadable["evtxexport"]) >= 8, "the eight files libevtx cannot read were read by kensa")
done()
