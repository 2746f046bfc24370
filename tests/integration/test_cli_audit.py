#!/usr/bin/python3
"""`kensa audit` as an administrator runs it, on the practice hospital's exports that
`kensa simulate` writes (one folder per host, as the collector saves them): RDS01
never locks out and takes RDP without NLA and one EMR terminal allows USB storage, so
the run exits 1 and names them; a hardened host alone exits 0; audit.json has its
documented shape and audit.html loads nothing from outside; a cut-short export is
named with its line while the other checks still run; bad arguments exit 2 and
nothing readable exits 3; --help teaches the collection in both languages.

Usage: test_cli_audit.py KENSA     (prints "N passed, N failed")
"""
import json
import os
import re
import shutil
import subprocess
import tempfile

from harness import KENSA, check, done, kensa as run

CHECK_IDS = ["account_lockout", "local_admins", "uac", "smb1_server", "smb1_client",
             "office_macros", "rdp", "usb_storage", "audit_policy", "audit_cmdline",
             "log_retention", "log_archive"]
tmp = tempfile.mkdtemp()
try:
    ev = os.path.join(tmp, "ev")
    site = os.path.join(tmp, "site.yaml")
    exports = os.path.join(tmp, "audit")
    subprocess.run([KENSA, "simulate", "-o", ev, "--site-out", site, "--audit-out", exports],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    hosts = sorted(os.listdir(exports))
    check("RDS01" in hosts and "FS01" in hosts, f"simulated hosts: {hosts}")

    # the whole hospital: high-severity failures on RDS01, exit 1
    out_dir = os.path.join(tmp, "report")
    rc, out, err = run("audit", exports, "--site", site, "-o", out_dir)
    check(rc == 1, f"exit 1 when a high check fails: {rc} {err}")
    rds = out[out.find("RDS01 (role: terminal_server)"):]
    rds = rds[:rds.find("\n\n")]
    check(re.search(r"account_lockout\s+high\s+FAIL\s+LockoutBadCount = 0", rds) is not None,
          "RDS01's lockout fails, naming the value: " + rds)
    check(re.search(r"rdp\s+high\s+FAIL\s+.*UserAuthentication = 0", rds) is not None,
          "RDS01's RDP without NLA fails: " + rds)
    check(re.search(r"usb_storage\s+medium\s+n/a", rds) is not None, "USB n/a on RDS01")
    check(re.search(r"usb_storage\s+medium\s+FAIL\s+USBSTOR\\Start = 3", out) is not None,
          "one EMR terminal allows USB storage")
    check("3 checks of high severity failed" not in out, "only RDS01's two high failures")
    check("2 checks of high severity failed" in out, "summary: " + out[-400:])
    check("wrote " + out_dir + "/audit.json" in out, "the files written are named")

    # audit.json
    with open(os.path.join(out_dir, "audit.json"), encoding="utf-8") as f:
        doc = json.load(f)
    check(doc["lang"] == "en" and doc["kensa"], "kensa and lang")
    check(sorted(doc["summary"]) == sorted(["hosts", "pass", "fail", "not_checked",
                                           "not_applicable", "high_failed", "exports_failed",
                                           "exports_partial", "files_skipped"]), f"summary keys {doc['summary']}")
    check(doc["summary"]["hosts"] == len(hosts), "one entry per host folder")
    check(doc["summary"]["high_failed"] == 2, f"high_failed {doc['summary']}")
    check(doc["summary"]["exports_failed"] == 0, f"every export read {doc['summary']}")
    check([c["id"] for c in doc["checks"]] == CHECK_IDS, "the checks, in report order")
    for c in doc["checks"]:
        check(set(c) == {"id", "severity", "title_en", "title_ja", "why_en", "why_ja", "fix_en",
                         "fix_ja", "needs"} and c["needs"], f"check entry {c['id']}")
    by_name = {h["name"]: h for h in doc["hosts"]}
    r = by_name.get("RDS01", {})
    check(r.get("role") == "terminal_server", "role from the site file")
    results = {c["id"]: c for c in r.get("checks", [])}
    check([c["id"] for c in r.get("checks", [])] == CHECK_IDS, "every check per host")
    lock = results.get("account_lockout", {})
    check(lock.get("result") == "fail" and lock.get("severity") == "high", f"lockout {lock}")
    check(lock.get("fact", {}).get("key") == "secedit:System Access:LockoutBadCount" and
          lock["fact"]["value"] == "0" and lock["fact"]["file"].endswith("secedit.inf") and
          lock["fact"]["line"] > 0, f"the deciding fact, located: {lock.get('fact')}")
    for c in r.get("checks", []):
        check(c["result"] in ("pass", "fail", "not_checked", "not_applicable") and c["detail"],
              f"result and detail: {c}")
    check(all(set(e) >= {"file", "kind", "status", "facts", "problems", "problem"}
              for e in r.get("exports", [])) and len(r.get("exports", [])) > 10,
          "exports listed with kind and status")
    kinds = {e["kind"] for e in r.get("exports", [])}
    check({"secedit", "auditpol", "reg", "wevtutil", "localgroup", "smbconfig"} <= kinds,
          f"export kinds found from content: {kinds}")

    # audit.html: one self-contained page
    html = open(os.path.join(out_dir, "audit.html"), encoding="utf-8").read()
    check(html.startswith("<!DOCTYPE html>"), "an HTML page")
    for bad in ("http://", "https://", "<script", "<link", "src=", "@import", "url("):
        check(bad not in html.lower(), f"no external resource: {bad}")
    check("RDS01" in html and "id='check-log_archive'" in html, "hosts and checks shown")
    check("LockoutBadCount = 0" in html, "the value seen is shown")

    # one hardened host: nothing of high severity fails, exit 0
    rc, out, err = run("audit", os.path.join(exports, "FS01"), "--site", site)
    check(rc == 0, f"hardened host exits 0: {rc} {out} {err}")
    check("no check of high severity failed" in out, out[-200:])

    # --format json on standard output, Japanese
    rc, out, err = run("audit", os.path.join(exports, "RDS01"), "--format", "json", lang="ja")
    check(rc == 1, f"json exit {rc}")
    try:
        j = json.loads(out)
        check(j["lang"] == "ja" and j["hosts"][0]["name"] == "RDS01", "JSON on stdout")
        lock = [c for c in j["hosts"][0]["checks"] if c["id"] == "account_lockout"][0]
        check("ロックされません" in lock["detail"], "details in Japanese: " + lock["detail"])
    except (ValueError, KeyError, IndexError) as e:
        check(False, f"stdout is audit.json: {e}: {out[:200]}")
    rc, out, err = run("audit", os.path.join(exports, "RDS01"), lang="ja")
    check("不合格" in out and "チェック" in out, "the table in Japanese")

    # a cut-short export is named with its line; the other checks still run
    cut = os.path.join(tmp, "cut", "FS01")
    shutil.copytree(os.path.join(exports, "FS01"), cut)
    sec = os.path.join(cut, "secedit.inf")
    data = open(sec, "rb").read()
    open(sec, "wb").write(data[:len(data) // 2 + 1])
    rc, out, err = run("audit", cut)
    check("secedit.inf" in err and "line" in err, "the damaged export named: " + err)
    check(re.search(r"uac\s+high\s+pass", out) is not None and
          re.search(r"audit_policy\s+high\s+pass", out) is not None,
          "the other checks ran: " + out)
    check(rc in (0, 1), f"it still runs: {rc}")

    # bad arguments: 2; nothing readable or output not writable: 3
    check(run("audit")[0] == 2, "no exports")
    check(run("audit", "--format", "xml", exports)[0] == 2, "bad --format")
    check(run("audit", "--bogus", exports)[0] == 2, "unknown option")
    check(run("audit", exports, "--site", os.path.join(tmp, "missing.yaml"))[0] == 2,
          "missing site file")
    rc, out, err = run("audit", os.path.join(tmp, "no-such-folder"))
    check(rc == 3 and "no-such-folder" in err, f"nothing readable: {rc} {err}")
    rc, out, err = run("audit", os.path.join(exports, "FS01"), "-o", "/dev/null/x")
    check(rc == 3, f"output not writable: {rc} {err}")

    # --help teaches the collection
    rc, out, err = run("audit", "--help")
    check(rc == 0 and "kensa-collect.ps1" in out and "auditpol /get /category:* /r" in out and
          "docs/collect.md" in out, "help (en)")
    rc, out, err = run("audit", "--help", lang="ja")
    check(rc == 0 and "kensa-collect.ps1" in out and "使い方" in out, "help (ja)")
    rc, out, err = run("--help")
    check("audit" in out, "audit is listed among the commands")
finally:
    shutil.rmtree(tmp, ignore_errors=True)

done()
