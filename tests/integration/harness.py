"""What the command-line tests share (each imports it from its own folder): check()
counts a result and names what failed, kensa() runs the kensa binary given as the
test's first argument (in English unless lang says otherwise; lang=None keeps the
locale) and returns (status, stdout, stderr) as text, and done() prints
"N passed, N failed" and exits 1 if anything failed."""

import subprocess
import sys

KENSA = sys.argv[1] if len(sys.argv) > 1 else "kensa"
_counts = [0, 0]


def check(cond, what):
    _counts[0 if cond else 1] += 1
    if not cond:
        print("CHECK failed: " + what, file=sys.stderr)
    return cond


def kensa(*args, lang="en"):
    cmd = [KENSA] + (["--lang", lang] if lang else []) + [str(a) for a in args]
    p = subprocess.run(cmd, capture_output=True)
    return (p.returncode, p.stdout.decode("utf-8", "replace"),
            p.stderr.decode("utf-8", "replace"))


def done():
    print("%d passed, %d failed" % tuple(_counts))
    sys.exit(1 if _counts[1] else 0)
