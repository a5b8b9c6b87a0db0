#!/usr/bin/env python3
"""step.py IDX PHASE  -- run candidate line IDX (1-based) once.
PHASE: gnu1 | gnu2 (GNU parallel --will-cite) | andon.
Results go to results/IDX.PHASE.{out,err,rc}. Every run is a fresh copy of fix/
at the same path (run/w), with a fresh HOME and TMPDIR."""
import os, re, shutil, subprocess, sys, time
HERE = os.path.dirname(os.path.abspath(__file__))
BASE = os.environ.get("ANDON_CORPUS_DIR", "/tmp/andon-corpus")
# The andon under test: this checkout's build unless ANDON_CMD names another.
BIN = os.path.normpath(os.path.join(HERE, "../../dist/src/cli/bin.js"))
ANDON = os.environ.get("ANDON_CMD", f"node {BIN}")
LIMIT = os.environ.get("LINE_TIMEOUT", "17")   # seconds per run; keeps each step < 20 s
PROG = re.compile(r"(?<![\w./-])parallel(?![\w.-])")

def line(idx):
    with open(f"{BASE}/candidates.tsv") as f:
        return f.read().split("\n")[idx - 1].split("\t", 1)[1]

def rewrite(ln, phase):
    ln = re.sub(r"(?<![\w.~/])/tmp/", "tmp/", ln)          # keep writes inside the work dir
    rep = "parallel --will-cite" if phase.startswith("gnu") else ANDON
    return PROG.sub(lambda m: rep, ln)

def res(idx, phase, ext):
    return f"{BASE}/results/{idx}.{phase}.{ext}"

def read(idx, phase, ext):
    try:
        with open(res(idx, phase, ext), "rb") as f: return f.read()
    except FileNotFoundError: return None

def main():
    idx, phase = int(sys.argv[1]), sys.argv[2]
    os.makedirs(f"{BASE}/results", exist_ok=True)
    if phase == "gnu2" and read(idx, "gnu1", "rc") in (b"124", b"137"):
        return                                   # gnu1 timed out: not reproducible
    if phase == "andon":
        import compare
        if not compare.reproducible(idx): return
        for _ in range(3):                       # binary may be briefly missing (rebuild)
            if os.path.exists(BIN) or "ANDON_CMD" in os.environ: break
            time.sleep(5)
    ln = rewrite(line(idx), phase)
    run = f"{BASE}/run"
    for d in ("w", "home", "tmpd"):
        shutil.rmtree(f"{run}/{d}", ignore_errors=True)
    shutil.copytree(f"{BASE}/fix", f"{run}/w", symlinks=True)
    os.makedirs(f"{run}/home"); os.makedirs(f"{run}/tmpd")
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": f"{run}/home", "SHELL": "/bin/bash",
           "TMPDIR": f"{run}/tmpd", "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8", "USER": os.environ.get("USER", "root"),
           # variables the docs set in the lines just before the command
           "myvar": "abcAaAdef", "VAR": "two  spaces  between  each  word", "size": "100",
           "sep": "XsepX", "percpu": "10k"}
    t0 = time.time()
    with open(res(idx, phase, "out"), "wb") as o, open(res(idx, phase, "err"), "wb") as e:
        p = subprocess.Popen(["timeout", "-k", "2", LIMIT, "bash", "-c", ln], cwd=f"{run}/w",
                           stdin=subprocess.DEVNULL, stdout=o, stderr=e, env=env)
        p.wait()
    try:                                         # leftovers of the run (e.g. GNU parallel
        os.killpg(p.pid, 9)                      # orphaned by `| head`): timeout's own group
    except (ProcessLookupError, PermissionError):
        pass
    with open(res(idx, phase, "rc"), "w") as f: f.write(str(p.returncode))
    with open(res(idx, phase, "time"), "w") as f: f.write("%.2f" % (time.time() - t0))

if __name__ == "__main__":
    sys.path.insert(0, BASE); main()
