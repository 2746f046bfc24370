#!/usr/bin/python3
"""Counts the records python-evtx renders to XML in each file named on the command line.

Used by bench/corpus.py to keep only chunks every tool reads. Runs under Debian's
/usr/bin/python3 (python3-evtx). Prints one line per file: records, tab, "ok" or the
error that stopped python-evtx, tab, path.
"""
import sys

import Evtx.Evtx as evtx

for path in sys.argv[1:]:
    n = 0
    status = "ok"
    try:
        with evtx.Evtx(path) as log:
            for record in log.records():
                record.xml()
                n += 1
    except Exception as e:  # any failure means python-evtx cannot read this chunk
        status = (type(e).__name__ + ": " + str(e)).replace("\t", " ").replace("\n", " ")[:200]
    print("%d\t%s\t%s" % (n, status, path), flush=True)
