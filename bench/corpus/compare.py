"""Shared comparison rules."""
import re, shlex
import os
# Where the measurement writes (candidates, fixtures, results, summary); the scripts stay here.
BASE = os.environ.get("ANDON_CORPUS_DIR", "/tmp/andon-corpus")
PROG = re.compile(r"(?<![\w./-])parallel(?![\w.-])")
TIMEOUT_RC = (124, 137)

def keep_order(ln):
    """True if some parallel invocation in the line has -k / --keep-order."""
    for m in PROG.finditer(ln):
        try: toks = shlex.split(ln[m.end():], posix=True)
        except ValueError: toks = ln[m.end():].split()
        for t in toks:
            if not t.startswith("-"): break
            if t in ("--keep-order", "--keep"): return True
            if not t.startswith("--") and re.match(r"^-[A-Za-z]*k", t): return True
    return False

def norm(out, ln):
    if out is None: return None
    return out if keep_order(ln) else b"\n".join(sorted(out.split(b"\n")))

def get(idx, phase):
    def r(ext):
        try:
            with open(f"{BASE}/results/{idx}.{phase}.{ext}", "rb") as f: return f.read()
        except FileNotFoundError: return None
    rc = r("rc")
    return None if rc is None else {"out": r("out"), "err": r("err"), "rc": int(rc)}

def line(idx):
    with open(f"{BASE}/candidates.tsv") as f:
        return f.read().split("\n")[idx - 1].split("\t", 1)[1]

def reproducible(idx):
    ln = line(idx); a, b = get(idx, "gnu1"), get(idx, "gnu2")
    if not a or not b or a["rc"] in TIMEOUT_RC: return False
    return a["rc"] == b["rc"] and norm(a["out"], ln) == norm(b["out"], ln)
