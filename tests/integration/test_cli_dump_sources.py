#!/usr/bin/python3
"""`kensa dump` as an administrator runs it on a folder of mixed evidence: .evtx from
`kensa simulate`, the same Security log exported as Event XML (UTF-16LE, as
PowerShell's Out-File writes it) and as LogParser CSV (as Shift_JIS, which for this
ASCII content is plain ASCII), a VPN syslog with a
broken line, a Word-like binary and a text note. Every format is read, the same
Windows events give the same semantic fields whatever the export, the bad line and the
unreadable files are named on stderr, and the exit status says something was skipped.

Usage: test_cli_dump_sources.py KENSA     (prints "N passed, N failed")
"""
import json
import os
import tempfile

from harness import check, done, kensa


def run(*args):
    return kensa(*args, lang=None)


def events(out):
    return [json.loads(line) for line in out.splitlines() if line.strip()]


with tempfile.TemporaryDirectory() as tmp:
    sim = os.path.join(tmp, "sim")
    rc, _, err = run("simulate", "-o", sim, "--seed", "3")
    check(rc == 0, "simulate: " + err)
    sec = os.path.join(sim, "Security.evtx")
    ev_dir = os.path.join(tmp, "evidence")
    os.mkdir(ev_dir)

    rc, xml, _ = run("dump", "-q", "--format", "xml", sec)
    with open(os.path.join(ev_dir, "security-export.xml"), "wb") as f:
        f.write(b"\xff\xfe" + xml.encode("utf-16-le"))
    rc, csv, _ = run("dump", "-q", "--format", "csv", "--tz", "Asia/Tokyo", sec)
    with open(os.path.join(ev_dir, "security-logparser.csv"), "wb") as f:
        f.write(csv.encode("cp932"))
    with open(os.path.join(ev_dir, "vpn.log"), "w") as f:
        f.write('Mar  3 02:14:05 fg01 date=2026-03-03 time=02:14:05 devname="fg01" '
                'logid="0101039426" type="event" subtype="vpn" level="alert" '
                'action="ssl-login-fail" remip=203.0.113.9 user="admin" '
                'reason="sslvpn_login_permission_denied" msg="SSL user failed to logged in"\n')
        f.write("\x00\x01\x02 not a syslog line\n")
        f.write('Mar  3 02:15:11 fg01 date=2026-03-03 time=02:15:11 devname="fg01" '
                'logid="0101039947" type="event" subtype="vpn" action="tunnel-up" '
                'tunneltype="ssl-tunnel" remip=203.0.113.9 user="admin" msg="SSL tunnel established"\n')
    with open(os.path.join(ev_dir, "report.docx"), "wb") as f:
        f.write(b"PK\x03\x04" + bytes(range(256)) * 4)
    with open(os.path.join(ev_dir, "notes.txt"), "w") as f:
        f.write("called the vendor at 10:00\n")

    rc, out, err = run("dump", "--format", "events", "--tz", "Asia/Tokyo", sim, ev_dir)
    check(rc == 1, "exit status 1 when a line was skipped, got %d" % rc)
    evs = events(out)
    by_format = {}
    for e in evs:
        by_format.setdefault(e["source"]["format"], []).append(e)
    check(set(by_format) == {"evtx", "xml", "csv", "syslog"}, "formats read: %s" % sorted(by_format))
    n_sec = sum(1 for e in by_format.get("evtx", []) if e["channel"] == "Security")
    check(n_sec > 0 and len(by_format.get("xml", [])) == n_sec, "XML export has every Security event")
    check(len(by_format.get("csv", [])) == n_sec, "CSV export has every Security event")

    keys = ("user", "domain", "src_ip", "logon_type", "outcome", "status", "session")

    def sem(e):
        return (e["event_id"], e["record_id"]) + tuple(e.get(k) for k in keys)

    evtx_sem = sorted(sem(e) for e in by_format.get("evtx", []) if e["channel"] == "Security")
    check(evtx_sem == sorted(sem(e) for e in by_format.get("xml", [])), "XML: same semantic fields")
    check(evtx_sem == sorted(sem(e) for e in by_format.get("csv", [])), "CSV: same semantic fields")
    check(any(e.get("logon_type") == 10 and e.get("outcome") == "success" for e in by_format["evtx"]),
          "simulate's RDP logon is there with its logon type")

    vpn = by_format.get("syslog", [])
    check(len(vpn) == 2, "two VPN events, got %d" % len(vpn))
    if len(vpn) == 2:
        check(vpn[0]["provider"] == "fortigate" and vpn[0].get("user") == "admin"
              and vpn[0].get("src_ip") == "203.0.113.9" and vpn[0].get("outcome") == "failure",
              "FortiGate login failure: %s" % vpn[0])
        check(vpn[0]["time"].startswith("2026-03-02T17:14:05"), "02:14 JST is 17:14 UTC: " + vpn[0]["time"])
        check(vpn[1].get("action") == "vpn_login" and vpn[1].get("outcome") == "success",
              "tunnel-up is the VPN login: %s" % vpn[1])

    check("vpn.log: line 2:" in err, "the bad line is named with its number")
    check("report.docx: skipped: binary data" in err, "a binary file is named with the reason")
    check("notes.txt: skipped: text in no format kensa reads" in err, "a text note is named")
    check("security-export.xml: %d events read (xml, UTF-16LE)" % n_sec in err,
          "the summary names the format and the encoding")
    check("Asia/Tokyo" in err, "the summary says which zone was assumed")

    rc, _, err = run("dump", "--format", "xml", os.path.join(ev_dir, "vpn.log"))
    check(rc != 0 and "only EVTX files can be written as Event XML" in err, "xml of syslog refused")

done()
