#!/usr/bin/python3
"""`kensa dump` JSON against evtx_dump's (omerbenamram/evtx) own expected output for
the same records (its insta snapshots in ../shared/data), so that jq scripts written
for evtx_dump keep working. Differences normalized, each for a reason:
  J1 SystemTime: evtx_dump's snapshots keep 6 digits (older versions); kensa keeps
     FILETIME's 100 ns as 9 digits, like evtxexport. Compared to the microsecond.
  J2 GUIDs: some evtx_dump versions drop the braces; compared without braces and case.
  J3 an element whose only content is an optional substitution without a value:
     evtx_dump writes null, Windows and evtxexport leave the element out, as kensa
     does. A null the snapshot has and kensa lacks is accepted.
"""
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from peers import check, done, skip  # noqa: E402

KENSA, DATA = sys.argv[1], os.environ.get("KS_SHARED_DATA") or sys.argv[2]
E = os.path.join(DATA, "evtx")
SNAP = os.path.join(E, "corrupted/omerbenamram-evtx/expected/snapshots")
if not os.path.isdir(SNAP):
    skip(f"shared test data not found at {DATA} (set KS_SHARED_DATA to ../shared/data)")

GUID = re.compile(r"^\{?([0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12})\}?$")
TIME = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d+)Z$")


def norm(v):
    if isinstance(v, dict):
        return {k: norm(x) for k, x in v.items()}
    if isinstance(v, list):
        return [norm(x) for x in v]
    if isinstance(v, str):
        m = GUID.match(v)
        if m:  # J2
            return m.group(1).upper()
        m = TIME.match(v)
        if m:  # J1
            return m.group(1) + "." + m.group(2)[:6].ljust(6, "0")
    return v


def compare(a, b, path=""):
    """a: snapshot, b: kensa. Returns the first difference or None."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in a:
            if k not in b:
                if a[k] is None:  # J3
                    continue
                return f"{path}/{k}: missing in kensa"
            d = compare(a[k], b[k], f"{path}/{k}")
            if d:
                return d
        extra = [k for k in b if k not in a]
        if extra:
            return f"{path}: kensa has extra keys {extra}"
        if [k for k in a if k in b] != list(b):
            return f"{path}: key order {list(a)} vs {list(b)}"
        return None
    if a != b:
        return f"{path}: {a!r} vs kensa {b!r}"
    return None


cases = [
    ("event_json_sample", "normal/omerbenamram-evtx/security.evtx", 1),
    ("event_json_with_size_t", "corrupted/omerbenamram-evtx/Security_with_size_t.evtx", 196),
    ("event_json_with_multiple_nodes_same_name",
     "corrupted/omerbenamram-evtx/E_Windows_system32_winevt_logs_Microsoft-Windows-CAPI2%4Operational.evtx",
     28),
    ("event_json_sample_with_event_data_with_attributes_and_text",
     "normal/omerbenamram-evtx/system.evtx", 1),
]
for snap, path, rid in cases:
    text = open(os.path.join(SNAP, f"test_record_samples__{snap}.snap"), encoding="utf-8").read()
    want = json.loads(text.split("---", 2)[2])
    out = subprocess.run([KENSA, "dump", "-q", "--threads", "1", os.path.join(E, path)],
                         capture_output=True).stdout.decode()
    got = None
    for line in out.splitlines():
        d = json.loads(line)  # every line must be valid JSON
        if d["Event"]["System"]["EventRecordID"] == rid:
            got = d
    check(got is not None, f"{snap}: record {rid} found")
    if got is not None:
        d = compare(norm(want), norm(got))
        check(d is None, f"{snap}: {d}")

# every line kensa writes for every shared file is one valid JSON object
bad = total = 0
for root, _, names in os.walk(E):
    for n in names:
        if not n.endswith(".evtx"):
            continue
        out = subprocess.run([KENSA, "dump", "-q", os.path.join(root, n)], capture_output=True).stdout
        for line in out.decode("utf-8").splitlines():
            total += 1
            try:
                obj = json.loads(line)
                bad += not isinstance(obj.get("Event"), dict)
            except ValueError:
                bad += 1
check(total > 20000 and bad == 0, f"{bad} of {total} JSON lines invalid")
done()
