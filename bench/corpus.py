#!/usr/bin/env python3
"""Builds large single EVTX files for the benchmark from copies of the shared samples.

The 64 KiB chunks of the valid sample files (a chunk is self-contained: its own string
and template tables) are collected into a pool, the pool is put in a fixed shuffled
order, and a file of N MB is a fresh 4096-byte file header followed by the first chunks
of that order, repeated as often as needed. Every file is thus a prefix of the same
sequence, so a 10 MB slice has the same mix of logs as the 200 MB file.

Before that, each chunk is screened: it is kept only if kensa, evtxexport and python-evtx
all read it to the end and agree on its record count, so that every tool in the
benchmark does the same work (a peer that stops at a record it cannot read would
otherwise look fast). The excluded chunks are listed in the report.

Standard library only (plain `python3`); bench/run imports it. Alone:
`python3 bench/corpus.py [--help] [SIZE_MB...]`.
"""

import argparse
import glob
import hashlib
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import zlib

CHUNK = 65536
FILE_HEADER = 4096
MB = 1000 * 1000  # sizes and throughput use SI megabytes
SEED = 20240601
MAX_CHUNKS = 0xFFFF  # the file header's chunk count is 16 bits

HERE = os.path.dirname(os.path.abspath(__file__))
PY_SYSTEM = "/usr/bin/python3"  # Debian's python, where python3-evtx imports
PYEVTX_COUNT = os.path.join(HERE, "pyevtx_count.py")
SHARED = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "data", "evtx"))


def sample_files(shared=SHARED):
    """The sample files the corpus is made of, in a stable order."""
    normal = sorted(glob.glob(os.path.join(shared, "normal", "omerbenamram-evtx", "*.evtx")))
    attack = sorted(glob.glob(os.path.join(shared, "attack", "**", "*.evtx"), recursive=True))
    return normal + attack


def chunk_fill(c):
    """Bytes of the chunk in use (header and records): the free space offset."""
    return struct.unpack_from("<I", c, 48)[0]


def chunk_ok(c):
    """True when a chunk slot holds a chunk whose header and record checksums match."""
    if c[:8] != b"ElfChnk\0":
        return False
    if zlib.crc32(c[:120] + c[128:512]) != struct.unpack_from("<I", c, 124)[0]:
        return False
    free = chunk_fill(c)
    if free < 512 or free > CHUNK:
        return False
    return zlib.crc32(c[512:free]) == struct.unpack_from("<I", c, 52)[0]


def collect_pool(files, min_fill=0.0):
    """Reads the valid chunks of the valid files; with min_fill (0..1) only chunks at
    least that full. Returns (chunks, origins as "path#slot", stats)."""
    pool, origins = [], []
    st = {"files": 0, "files_used": 0, "files_skipped": 0, "chunks": 0,
          "slots_zero": 0, "slots_other": 0, "chunks_bad_crc": 0, "chunks_under_fill": 0}
    for path in files:
        st["files"] += 1
        with open(path, "rb") as f:
            data = f.read()
        if (len(data) < FILE_HEADER + CHUNK or data[:8] != b"ElfFile\0"
                or zlib.crc32(data[:120]) != struct.unpack_from("<I", data, 124)[0]):
            st["files_skipped"] += 1
            continue
        used = 0
        for slot, off in enumerate(range(FILE_HEADER, len(data) - CHUNK + 1, CHUNK)):
            c = data[off:off + CHUNK]
            if c[:8] != b"ElfChnk\0":
                if c.count(0) == CHUNK:
                    st["slots_zero"] += 1
                else:
                    st["slots_other"] += 1
                continue
            if not chunk_ok(c):
                st["chunks_bad_crc"] += 1
                continue
            if chunk_fill(c) < min_fill * CHUNK:
                st["chunks_under_fill"] += 1
                continue
            pool.append(c)
            origins.append("%s#%d" % (os.path.relpath(path, SHARED), slot))
            used += 1
        st["chunks"] += used
        if used:
            st["files_used"] += 1
    return pool, origins, st


def chunk_order(n_pool, n_needed, seed=SEED):
    """Indices into the pool: successive independent shuffles, concatenated."""
    out = []
    rnd = random.Random(seed)
    while len(out) < n_needed:
        perm = list(range(n_pool))
        rnd.shuffle(perm)
        out.extend(perm)
    return out[:n_needed]


def chunks_for_mb(mb):
    """Chunks in a file of about `mb` SI megabytes (at least one)."""
    return max(1, round((mb * MB - FILE_HEADER) / CHUNK))


def file_header(n_chunks, next_record_id):
    """A valid 4096-byte EVTX file header for n_chunks chunks, marked clean."""
    h = bytearray(FILE_HEADER)
    h[0:8] = b"ElfFile\0"
    struct.pack_into("<QQQ", h, 8, 0, n_chunks - 1, next_record_id)
    struct.pack_into("<IHHHH", h, 32, 128, 1, 3, FILE_HEADER, n_chunks)
    struct.pack_into("<I", h, 120, 0)  # flags: not dirty, not full
    struct.pack_into("<I", h, 124, zlib.crc32(bytes(h[:120])))
    return bytes(h)


def write_file(path, pool, n_chunks, seed=SEED):
    """Writes a file of n_chunks chunks taken from the pool; returns its size in bytes."""
    if n_chunks > MAX_CHUNKS:
        raise ValueError("an EVTX file header counts at most 65535 chunks (about 4.29 GB)")
    order = chunk_order(len(pool), n_chunks, seed)
    last_id = max(struct.unpack_from("<Q", pool[i], 32)[0] for i in set(order))
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(file_header(n_chunks, last_id + 1))
        for i in order:
            f.write(pool[i])
    os.replace(tmp, path)
    return os.path.getsize(path)


def expected_records(counts, n_chunks, seed=SEED):
    """Records in a file of n_chunks made from a pool whose per-chunk counts are given."""
    return sum(counts[i] for i in chunk_order(len(counts), n_chunks, seed))


def _count_xml_events(data):
    return data.count(b"<Event xmlns")


def screen(pool, origins, kensa, workdir, cache_path, log=print):
    """Keeps the chunks that kensa, evtxexport and python-evtx all read completely and
    agree on (same record count). Peer verdicts are cached in cache_path by chunk hash;
    kensa is asked again every time. Returns (kept chunks, their record counts, report)."""
    cache = {}
    if os.path.exists(cache_path):
        with open(cache_path) as f:
            cache = json.load(f)
    d = os.path.join(workdir, "screen")
    os.makedirs(d, exist_ok=True)
    paths, keys = [], []
    for i, c in enumerate(pool):
        p = os.path.join(d, "c%04d.evtx" % i)
        with open(p, "wb") as f:
            f.write(file_header(1, struct.unpack_from("<Q", c, 32)[0] + 1) + c)
        paths.append(p)
        keys.append(hashlib.sha1(c).hexdigest())
    todo = [i for i, k in enumerate(keys) if k not in cache]
    if todo:
        log("screening %d chunks with evtxexport and python-evtx (about 40 s, cached "
            "afterwards in %s)" % (len(todo), os.path.relpath(cache_path)))
        for i in todo:
            r = subprocess.run(["evtxexport", "-f", "xml", paths[i]], capture_output=True)
            cache[keys[i]] = {"evtxexport": [r.returncode, _count_xml_events(r.stdout)]}
        r = subprocess.run([PY_SYSTEM, PYEVTX_COUNT] + [paths[i] for i in todo],
                           capture_output=True, text=True)
        byp = {}
        for line in r.stdout.splitlines():
            n, status, p = line.split("\t", 2)
            byp[p] = [0 if status == "ok" else 1, int(n), status]
        for i in todo:
            cache[keys[i]]["python-evtx"] = byp.get(paths[i],
                                                    [1, 0, "no answer: " + r.stderr[-200:]])
        with open(cache_path + ".tmp", "w") as f:
            json.dump(cache, f)
        os.replace(cache_path + ".tmp", cache_path)
    keep, counts = [], []
    rep = {"pool": len(pool), "kept": 0, "records_kept": 0, "fail_evtxexport": 0,
           "fail_python_evtx": 0, "fail_kensa": 0, "count_mismatch": 0, "excluded": []}
    for i, c in enumerate(pool):
        r = subprocess.run([kensa, "dump", "-q", "--threads", "1", paths[i]],
                           capture_output=True)
        ks = [r.returncode, r.stdout.count(b"\n")]
        ee = cache[keys[i]]["evtxexport"]
        py = cache[keys[i]]["python-evtx"]
        why = []
        if ee[0] != 0:
            rep["fail_evtxexport"] += 1
            why.append("evtxexport fails")
        if py[0] != 0:
            rep["fail_python_evtx"] += 1
            why.append("python-evtx fails (%s)" % py[2][:70])
        if ks[0] != 0:
            rep["fail_kensa"] += 1
            why.append("kensa exits %d" % ks[0])
        if not why and not (ks[1] == ee[1] == py[1]):
            rep["count_mismatch"] += 1
            why.append("record counts differ: kensa %d, evtxexport %d, python-evtx %d"
                       % (ks[1], ee[1], py[1]))
        if why:
            rep["excluded"].append({"chunk": origins[i], "kensa_records": ks[1],
                                    "why": "; ".join(why)})
            continue
        keep.append(c)
        counts.append(ks[1])
    shutil.rmtree(d, ignore_errors=True)
    rep["kept"] = len(keep)
    rep["records_kept"] = sum(counts)
    return keep, counts, rep


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-o", "--out", default=os.path.join(HERE, "out"), help="output directory")
    ap.add_argument("--kensa", default=os.path.join(HERE, "..", "build", "release", "kensa"))
    ap.add_argument("--min-fill", type=float, default=0.0,
                    help="keep only chunks at least this full (0..1)")
    ap.add_argument("--no-screen", action="store_true",
                    help="use every valid chunk, even those the peers cannot read")
    ap.add_argument("sizes", nargs="*", type=int, default=[10, 200], help="file sizes in MB")
    a = ap.parse_args()
    pool, origins, st = collect_pool(sample_files(), a.min_fill)
    print("pool:", st, file=sys.stderr)
    os.makedirs(a.out, exist_ok=True)
    if not a.no_screen:
        pool, _, rep = screen(pool, origins, a.kensa, a.out,
                              os.path.join(a.out, "screen-cache.json"),
                              log=lambda m: print(m, file=sys.stderr))
        print("screen:", json.dumps(rep, indent=1), file=sys.stderr)
    for mb in a.sizes:
        p = os.path.join(a.out, "corpus-%dmb.evtx" % mb)
        n = write_file(p, pool, chunks_for_mb(mb))
        print("%s %d bytes" % (p, n))


if __name__ == "__main__":
    main()
