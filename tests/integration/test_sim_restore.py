#!/usr/bin/env python3
"""From "when did they get in" to "restore from this backup", as an administrator runs
it on the practice hospital: for every scenario and several seeds, kensa simulate writes
the evidence and the file server's backup generations, kensa investigate --case stores
the intrusion time, kensa backup add --case catalogues the generations and kensa backup
advise --case must name the planted clean generation (truth.json's backup_restore) and
judge every generation before the ransomware clean and every one after it encrypted.
Usage: test_sim_restore.py KENSA. Prints "N passed, N failed"."""

import json
import os
import tempfile

from harness import check, done, kensa

with tempfile.TemporaryDirectory() as tmp:
    for scenario in ("rdp_bruteforce", "vpn", "none"):
        for seed in ("1", "2", "7"):
            tag = "%s seed %s" % (scenario, seed)
            d = os.path.join(tmp, scenario + seed)
            ev, bk = os.path.join(d, "evidence"), os.path.join(d, "backups")
            truth_path, site = os.path.join(d, "truth.json"), os.path.join(d, "site.yaml")
            case = os.path.join(d, "case.kensa")
            os.makedirs(d)
            rc, out, err = kensa("simulate", "-o", ev, "--seed", seed, "--scenario", scenario,
                                 "--backups-out", bk, "--truth", truth_path, "--site-out", site)
            check(rc == 0, "%s: simulate: %s" % (tag, err))
            with open(truth_path) as f:
                truth = json.load(f)
            check(truth["backups"] == 14, "%s: 14 generations written" % tag)
            rc, out, err = kensa("investigate", "-q", "--site", site, "-o",
                                 os.path.join(d, "report"), "--case", case, ev)
            check(rc == 0, "%s: investigate: %d %s" % (tag, rc, err))
            gens = [line.rstrip("\n").split("\t") for line in open(os.path.join(bk, "generations.tsv"))
                    if not line.startswith("#")]
            args = []
            for system, path, taken, media in gens:
                args += [path, "--taken", taken, "--media", media]
            rc, out, err = kensa("backup", "add", "--case", case, "--system", "FS01", *args)
            check(rc == 0 and out.count("\ngeneration ") + out.startswith("generation ") == 14,
                  "%s: add: %d %s" % (tag, rc, err))
            rc, out, err = kensa("query", "--case", case, "--format", "json",
                                 "SELECT path, verdict FROM backup_generations ORDER BY taken_ns")
            verdicts = [(r["path"], r["verdict"]) for r in json.loads(out)]
            bad = truth["backup_first_bad"]
            bad_abs = os.path.abspath(bad) if bad else None
            after = False
            for path, verdict in verdicts:
                after = after or path == bad_abs
                check(verdict == ("encrypted" if after else "clean"),
                      "%s: %s judged %s" % (tag, os.path.basename(path), verdict))
            rc, out, err = kensa("backup", "advise", "--case", case, "--format", "jsonl")
            if scenario == "none":
                check(not truth["backup_restore"] and not bad, "%s: nothing planted" % tag)
                check(rc == 2 and "holds no intrusion time" in err,
                      "%s: no intrusion, no advice: %d %s" % (tag, rc, err))
                continue
            advice = [json.loads(x) for x in out.splitlines() if '"advice"' in x]
            check(rc == 0 and len(advice) == 1 and
                  advice[0]["restore"] == os.path.abspath(truth["backup_restore"]),
                  "%s: restore %r, planted %r (%s)" % (tag, advice, truth["backup_restore"], err))
            changes = [json.loads(x) for x in out.splitlines() if '"change"' in x]
            check(any(c["change"] == "encrypted" and c["path"].endswith(".lockbit")
                      for c in changes), "%s: the encrypted files are listed" % tag)

    # the same seed, the same generations, byte for byte
    def tree(root):
        out = {}
        for dirpath, _, names in os.walk(root):
            for n in names:
                p = os.path.join(dirpath, n)
                if n != "generations.tsv":
                    out[os.path.relpath(p, root)] = open(p, "rb").read()
        return out
    again = os.path.join(tmp, "again")
    rc, out, err = kensa("simulate", "-o", os.path.join(again, "evidence"), "--seed", "2",
                         "--backups-out", os.path.join(again, "backups"))
    first = tree(os.path.join(tmp, "rdp_bruteforce2", "backups"))
    check(rc == 0 and len(first) > 500 and tree(os.path.join(again, "backups")) == first,
          "deterministic: %d files" % len(first))

done()
