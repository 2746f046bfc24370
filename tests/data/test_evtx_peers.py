#!/usr/bin/python3
"""Per-record content of `kensa dump --format xml` against python-evtx and evtxexport,
on every readable file of ../shared/data/evtx (attack, normal, realistic-mixed). The
normalizations, each with its reason, are listed in tests/peers.py.

Files python-evtx or evtxexport cannot read at all are listed and must be read by
kensa with zero skipped records (the shared README names eight such files).
Usage: test_evtx_peers.py KENSA SHARED_DATA_DIR
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from peers import check, compare, done, evtxexport_records, kensa_records, python_records, \
    require_peers, skip  # noqa: E402

if len(sys.argv) < 3:
    print("usage: test_evtx_peers.py KENSA SHARED_DATA_DIR")
    sys.exit(2)
KENSA, DATA = sys.argv[1], os.environ.get("KS_SHARED_DATA") or sys.argv[2]
if not os.path.isdir(os.path.join(DATA, "evtx")):
    skip(f"shared test data not found at {DATA} (set KS_SHARED_DATA to ../shared/data)")
pyevtx = require_peers()

files = []
for sub in ("attack", "normal", "realistic-mixed"):
    for root, _, names in os.walk(os.path.join(DATA, "evtx", sub)):
        files += [os.path.join(root, n) for n in names if n.endswith(".evtx")]
files.sort()
check(len(files) > 250, f"found {len(files)} evtx files")

peers = (("python-evtx", lambda p: python_records(pyevtx, p)), ("evtxexport", evtxexport_records))
unreadable = {"python-evtx": [], "evtxexport": []}
compared = {"python-evtx": 0, "evtxexport": 0}
for path in files:
    name = os.path.relpath(path, DATA)
    rc, ks = kensa_records(KENSA, path)
    check(rc == 0, f"{name}: kensa exit status {rc} (a record was skipped)")
    for peer, read in peers:
        try:
            theirs = read(path)
        except Exception:  # the peer cannot read this file
            theirs = None
        if not theirs and ks:
            unreadable[peer].append(name)
            continue
        compared[peer] += compare(name, ks, peer, theirs)

for peer in unreadable:
    print(f"{peer} could not read {len(unreadable[peer])} files that kensa read completely:")
    for n in unreadable[peer]:
        print("   ", n)
    print(f"{compared[peer]} records compared with {peer}")
    check(compared[peer] > 8000, f"{compared[peer]} records compared with {peer}")
# the shared README names eight files neither peer can read; kensa reads them all
check(len(unreadable["evtxexport"]) >= 8, "the eight files libevtx cannot read were read by kensa")
done()
