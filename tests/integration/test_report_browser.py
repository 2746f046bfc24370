#!/usr/bin/env python3
"""kensa's report in a real browser: simulate a practice hospital, investigate it in
English and in Japanese, then tests/browser/test_report.js opens both reports in
Debian's headless chromium (playwright-core) and checks the answer, the timeline and
the findings, with no console errors. Screenshots are kept in OUT as test artifacts.

usage: test_report_browser.py KENSA OUT     (exit 77 when chromium or node is absent)"""
import os
import shutil
import subprocess
import sys

KENSA, OUT = sys.argv[1], sys.argv[2]
HERE = os.path.dirname(os.path.abspath(__file__))
BROWSER = os.path.join(HERE, "..", "browser")

if not shutil.which("node"):
    print("skipped: no node (scripts/install-deps installs it)")
    sys.exit(77)
shutil.rmtree(OUT, ignore_errors=True)
os.makedirs(OUT)
logs = os.path.join(OUT, "logs")
site = os.path.join(OUT, "site.yaml")
r = subprocess.run([KENSA, "simulate", "-o", logs, "--seed", "2", "--site-out", site],
                   capture_output=True, text=True)
if r.returncode != 0:
    print("FAIL: simulate: " + r.stderr)
    sys.exit(1)
for lang in ("en", "ja"):
    r = subprocess.run([KENSA, "--lang", lang, "investigate", logs, "--site", site, "-o",
                        os.path.join(OUT, "report-" + lang), "-q"], capture_output=True, text=True)
    if r.returncode != 0:
        print("FAIL: investigate --lang %s: %s" % (lang, r.stderr))
        sys.exit(1)
r = subprocess.run(["node", os.path.join(BROWSER, "test_report.js"),
                    os.path.join(OUT, "report-en") + ":en", os.path.join(OUT, "report-ja") + ":ja"],
                   cwd=BROWSER)
sys.exit(r.returncode)
