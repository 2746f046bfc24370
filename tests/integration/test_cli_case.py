#!/usr/bin/env python3
"""`kensa ingest` and `kensa query` as a user runs them, on the simulated day: summaries,
re-ingest adding nothing, unknown files named and skipped, query output in each
format, read-only queries, clear errors for bad SQL and a missing case, exit codes.
Usage: test_cli_case.py KENSA. Prints "N passed, N failed"."""

import csv
import datetime
import io
import json
import os
import tempfile

from harness import check, done, kensa

with tempfile.TemporaryDirectory() as tmp:
    sim = os.path.join(tmp, "sim")
    rc, out, err = kensa("simulate", "-o", sim)
    check(rc == 0, "simulate")
    with open(os.path.join(sim, "README.txt"), "w") as f:
        f.write("collected on the 15th\n")
    case = os.path.join(tmp, "incident.kensa")

    rc, out, err = kensa("ingest", "--case", case, sim)
    check(rc == 0, "ingest exit 0, got %d: %s" % (rc, err))
    check("README.txt: skipped" in err, "unknown file named: " + err)
    check("Security.evtx: 423 events read, 423 new" in err, "summary: " + err)
    check("the case holds 441 events from 2 evidence files (0 incomplete)" in err, err)

    rc, out, err = kensa("ingest", "--case", case, os.path.join(sim, "Security.evtx"))
    check(rc == 0 and "already in the case" in err and "nothing added" in err, err)

    rc, out, err = kensa("query", "--case", case, "--format", "csv",
                         "SELECT event_id, count(*) AS n FROM events GROUP BY 1 ORDER BY 1")
    rows = list(csv.reader(io.StringIO(out)))
    check(rc == 0 and rows[0] == ["event_id", "n"], "csv header: %r" % rows[:1])
    counts = {int(r[0]): int(r[1]) for r in rows[1:]}
    check(sum(counts.values()) == 441, "csv counts sum to 441: %r" % counts)
    check(counts.get(4625, 0) > 0, "4625 present")

    rc, out, err = kensa("query", "--case", case, "--format", "json",
                         "SELECT path, events, complete, sha256 = sha256_end AS same "
                         "FROM evidence ORDER BY id")
    data = json.loads(out)
    check(rc == 0 and len(data) == 2, "json: two evidence rows")
    check(data[0]["events"] == 423 and data[0]["complete"] == 1 and data[0]["same"] == 1,
          "json values typed: %r" % data[:1])

    rc, out, err = kensa("query", "--case", case, "--format", "jsonl",
                         "SELECT user, logon_type, status FROM events WHERE event_id = 4625 "
                         "LIMIT 2")
    lines = [json.loads(x) for x in out.splitlines()]
    check(len(lines) == 2 and isinstance(lines[0]["logon_type"], int), "jsonl: %r" % lines)

    rc, out, err = kensa("query", "--case", case, "--format", "table",
                         "SELECT host, count(*) AS n FROM events GROUP BY 1 ORDER BY 2 DESC")
    tl = out.splitlines()
    check(rc == 0 and tl[0].split() == ["host", "n"] and set(tl[1]) <= {"-", " "},
          "table header and rule: %r" % tl[:2])

    # the same answer straight from the file, no case
    sec = os.path.join(sim, "Security.evtx")
    rc, out, err = kensa("query", "--format", "csv",
                         "SELECT count(*) FROM evtx('%s') WHERE event_id = 4625" % sec)
    check(rc == 0 and out.splitlines()[1] == str(counts.get(4625)), "evtx(): %r" % out)

    # errors
    rc, out, err = kensa("query", "--case", case, "SELECT count(*) FROM evnts")
    check(rc == 2 and "query error: no such table: evnts" in err, "bad table: %d %s" % (rc, err))
    rc, out, err = kensa("query", "--case", case, "SELECT count(*) FROM events WHER 1")
    check(rc == 2 and "^" in err, "position shown: " + err)
    rc, out, err = kensa("query", "--case", case, "DELETE FROM events")
    check(rc == 2 and "only read" in err, "read-only: " + err)
    rc, out, err = kensa("query", "--case", case, "--format", "csv", "SELECT count(*) FROM events")
    check(out.splitlines()[1] == "441", "nothing deleted")
    rc, out, err = kensa("query", "--case", os.path.join(tmp, "none.kensa"), "SELECT 1")
    check(rc == 3 and "cannot open the case" in err, "missing case: " + err)
    rc, out, err = kensa("query", "SELECT * FROM evtx('%s')" % os.path.join(tmp, "none.evtx"))
    check(rc == 2 and "none.evtx" in err, "missing file: " + err)
    rc, out, err = kensa("ingest", "--case", case)
    check(rc == 2, "ingest without evidence: usage")
    # hunt and investigate keep their findings; advise reads the estimate back
    rc, out, err = kensa("hunt", "--format", "jsonl", "--case", case, sim)
    hunted = [json.loads(x) for x in out.splitlines()]
    check(rc == 1 and len(hunted) > 0 and ("%d findings of hunt stored in" % len(hunted)) in err,
          "hunt --case: %d %s" % (rc, err))
    rc, out, err = kensa("hunt", "-q", "--case", case, sim)
    rc, out, err = kensa("query", "--case", case, "--format", "json",
                         "SELECT (SELECT count(*) FROM runs WHERE tool = 'hunt') AS runs, "
                         "count(*) AS n, sum(json_extract(json, '$.detector') = detector) AS same "
                         "FROM findings")
    row = json.loads(out)[0]
    check(row == {"runs": 2, "n": len(hunted), "same": len(hunted)},
          "second hunt replaced the first: %r" % row)
    rc, out, err = kensa("query", "--case", case, "--format", "csv",
                         "SELECT detector, first_time FROM findings ORDER BY first_ns, detector")
    rows = list(csv.reader(io.StringIO(out)))[1:]
    check(rows == sorted([[f["detector"], f["first"]] for f in hunted],
                         key=lambda r: (r[1], r[0])), "columns match the JSON lines")
    # findings wait in a temporary file: without one, a clear message, exit 3, and the
    # stored findings stay
    os.environ["TMPDIR"] = os.path.join(tmp, "no-such-folder")
    rc, out, err = kensa("hunt", "-q", "--case", case, sim)
    del os.environ["TMPDIR"]
    check(rc == 3 and "cannot keep the findings in a temporary file in" in err and
          "no-such-folder" in err, "no temporary file: %d %s" % (rc, err))
    rc, out, err = kensa("query", "--case", case, "--format", "json",
                         "SELECT (SELECT count(*) FROM runs WHERE tool = 'hunt') AS runs, "
                         "(SELECT count(*) FROM findings) AS n")
    check(json.loads(out) == [{"runs": 2, "n": len(hunted)}], "stored findings kept: " + out)
    # no intrusion stored yet
    gen = os.path.join(tmp, "gen1")
    os.makedirs(gen)
    with open(os.path.join(gen, "note.txt"), "w") as f:
        f.write("daily backup\n")
    rc, out, err = kensa("backup", "advise", "--case", case, gen, "--taken", "2024-10-01")
    check(rc == 2 and "holds no intrusion time" in err, "advise without estimate: %s" % err)
    rep = os.path.join(tmp, "report")
    rc, out, err = kensa("investigate", "-q", "-o", rep, "--case", case, sim)
    check(rc == 1, "investigate --case (README.txt skipped): %d %s" % (rc, err))
    with open(os.path.join(rep, "summary.json")) as f:
        summary = json.load(f)
    rc, out, err = kensa("query", "--case", case, "--format", "json",
                         "SELECT found, time, time_ns, json_extract(summary, "
                         "'$.first_intrusion') AS s FROM intrusions")
    est = json.loads(out)
    check(len(est) == 1 and est[0]["found"] == 1 and
          est[0]["time_ns"] == summary["first_intrusion_ns"] and
          est[0]["s"] == summary["first_intrusion"], "estimate stored: %r" % est)
    rc, out, err = kensa("backup", "advise", "--format", "jsonl", "--case", case,
                         gen, "--taken", "2024-10-01")
    check(rc == 0 and "gen1" in out, "advise --case picks the generation: %d %s %s"
          % (rc, out, err))
    # the catalogue: generations added once, judged against the one before, advised
    # from the case alone
    t0 = summary["first_intrusion_ns"] // 10**9
    iso = lambda t: datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")
    gens = []
    for name, dt, files in (("daily-1", -10 * 86400, {"a.txt": b"ward A\n", "b.txt": b"ward B\n"}),
                            ("daily-2", -2 * 86400, {"a.txt": b"ward A\n", "b.txt": b"ward B2\n",
                                                     "c.txt": b"ward C\n"}),
                            ("daily-3", 3600, {"a.txt": os.urandom(8192), "b.txt": b"ward B2\n",
                                               "c.txt.lockbit": b"ward C\n"})):
        d = os.path.join(tmp, name)
        os.makedirs(d)
        for fn, data in files.items():
            with open(os.path.join(d, fn), "wb") as f:
                f.write(data)
        gens.append((d, iso(t0 + dt)))
    rc, out, err = kensa("backup", "add", "--case", case, "--system", "emr",
                         gens[1][0], "--taken", gens[1][1], gens[0][0], "--taken", gens[0][1],
                         "--media", "offline")
    check(rc == 0 and [x[:11] for x in out.splitlines()] == ["generation "] * 2, "add two: %d %s %s" % (rc, out, err))
    rc, out, err = kensa("backup", "add", "--case", case, "--system", "emr",
                         gens[2][0], "--taken", gens[2][1])
    check(rc == 0 and "ENCRYPTED" in out, "add the third: %s %s" % (out, err))
    rc, out, err = kensa("backup", "add", "--case", case, "--system", "emr",
                         gens[2][0], "--taken", gens[2][1])
    check(rc == 0 and "already in the case" in err, "added again: nothing: " + err)
    rc, out, err = kensa("query", "--case", case, "--format", "json",
                         "SELECT path, media, files, verdict FROM backup_generations "
                         "ORDER BY taken_ns")
    rows = json.loads(out)
    check([(os.path.basename(r["path"]), r["media"], r["files"], r["verdict"]) for r in rows] ==
          [("daily-1", "offline", 2, "clean"), ("daily-2", "online", 3, "clean"),
           ("daily-3", "online", 3, "encrypted")], "catalogue: %r" % rows)
    rc, out, err = kensa("query", "--case", case, "--format", "csv",
                         "SELECT path, verdict FROM backup_files WHERE verdict <> 'clean' "
                         "ORDER BY path")
    check(list(csv.reader(io.StringIO(out)))[1:] ==
          [["a.txt", "encrypted"], ["c.txt.lockbit", "ransom_extension"]], "files: " + out)
    rc, out, err = kensa("backup", "advise", "--format", "jsonl", "--case", case)
    adv = [json.loads(x) for x in out.splitlines()]
    check(rc == 0 and adv and adv[0]["type"] == "advice" and
          os.path.basename(adv[0]["restore"]) == "daily-2", "advise from the case: %r %s"
          % (adv, err))
    changes = sorted((a["change"], a["path"]) for a in adv[1:])
    check(changes == [("encrypted", "a.txt"), ("encrypted", "c.txt.lockbit"),
                      ("removed", "c.txt")], "changes since daily-2: %r" % changes)
    rc, out, err = kensa("backup", "policy", "--case", case, "--now", gens[2][1],
                         "--daily", "0", "--weekly", "2", "--monthly", "1")
    check(rc == 0 and "emr: 3 generations" in out, "policy from the catalogue: %d %s" % (rc, out))

    rc, out, err = kensa("query", "--case", case, "--format", "csv",
                         "SELECT tool, count(*) FROM findings JOIN runs ON runs.id = run "
                         "GROUP BY 1 ORDER BY 1")
    check([r[0] for r in list(csv.reader(io.StringIO(out)))[1:]] == ["hunt", "investigate"],
          "both tools' findings kept: " + out)

    rc, out, err = kensa("--lang", "ja", "query", "--help")
    check(rc == 0 and "使い方" in out, "Japanese help")

done()
