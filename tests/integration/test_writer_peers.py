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

Records are compared element by element; the normalizations, each with its reason,
are listed in tests/peers.py.

The test prints "N passed, N failed"; it exits 77 (skipped) when python-evtx or
/usr/bin/evtxexport is not installed.
"""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from peers import check, compare as compare_records, done, evtxexport_records, \
    kensa_records, python_records, require_peers  # noqa: E402

if len(sys.argv) < 3:
    print("usage: test_writer_peers.py KENSA TEST_WRITER")
    sys.exit(2)
KENSA, TEST_WRITER = sys.argv[1], sys.argv[2]
pyevtx = require_peers()


def compare(path, peers, min_records):
    name = os.path.basename(os.path.dirname(path)) + "/" + os.path.basename(path)
    rc, ks = kensa_records(KENSA, path)
    check(rc == 0, f"{name}: kensa dump exit status {rc}")
    check(len(ks) >= min_records, f"{name}: {len(ks)} records, expected at least {min_records}")
    for peer, read in peers:
        try:
            theirs = read(path)
        except Exception as e:
            check(False, f"{name}: {peer} cannot read it: {e}")
            continue
        n = compare_records(name, ks, peer, theirs)
        print(f"{name}: {n} records compared with {peer}")


BOTH = (("python-evtx", lambda p: python_records(pyevtx, p)), ("evtxexport", evtxexport_records))
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
