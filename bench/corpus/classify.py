#!/usr/bin/env python3
"""Builds lines.tsv and summary.md from results/."""
import collections, difflib, os, re, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare import get, norm, keep_order, reproducible, TIMEOUT_RC, BASE, PROG

REFUSE = re.compile(rb"unknown option|not supported|is refused|unsupported|not implemented|is not available|isn't supported|andon does not read|; leave --[\w-]+ out", re.I)

def reason_key(e):
    """Group refusal messages: Perl expression text elided, hint after the first ';' cut."""
    e = re.sub(r"\{=.*?=\}: `.*?`", "{= … =}: `…`", e)
    e = re.sub(r"--rpl '.*?':", "--rpl '…':", e)
    return e.split("; ")[0]

def esc(s): return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
def first(b):
    for l in (b or b"").decode("utf-8", "replace").split("\n"):
        if l.strip(): return l.strip()
    return ""

def short_diff(a, b, ln):
    a = norm(a, ln).decode("utf-8", "replace").split("\n")
    b = norm(b, ln).decode("utf-8", "replace").split("\n")
    d = [l for l in difflib.unified_diff(a, b, "gnu", "andon", n=0, lineterm="") if not l.startswith(("---", "+++", "@@"))]
    n = len(d); s = " | ".join(d[:4])
    return (s[:220] + ("…" if len(s) > 220 else "")) + (f" (+{n-4} more)" if n > 4 else "")

def classify(idx, ln):
    g1, g2, a = get(idx, "gnu1"), get(idx, "gnu2"), get(idx, "andon")
    if g1 is None: return "not-run", "", None
    if g1["rc"] in TIMEOUT_RC: return "not-reproducible", "GNU run timed out", None
    if g2 is None or not reproducible(idx):
        why = "exit %d vs %d" % (g1["rc"], g2["rc"]) if g2 and g1["rc"] != g2["rc"] else "GNU stdout differs between runs"
        return "not-reproducible", why, None
    if a is None: return "not-run", "andon not run", None
    gex = "" if g1["rc"] == 0 else f"gnu exit {g1['rc']}; "
    e = first(a["err"])
    if a["rc"] == g1["rc"] and norm(a["out"], ln) == norm(g1["out"], ln):
        if REFUSE.search(e.encode()) and e.startswith("andon:"):
            return "same", gex + "andon refused too (masked): " + e[:160], ("masked", e)
        return "same", gex.rstrip("; "), None
    if REFUSE.search(e.encode()) and e.startswith("andon:"):
        if a["rc"] == 255:
            return "refused", e, ("refused", e)
        if "|" in ln[list(PROG.finditer(ln))[-1].end():]:   # andon not last in a pipeline
            return "refused", e + f" [in a pipeline; pipeline exit {a['rc']}]", ("refused", e)
    if re.search(rb"\n\s+at .*\((file|node):", a["err"] or b""):
        m = re.search(rb"^(\w*Error[^\n]*)", a["err"] or b"", re.M)
        cause = "andon crashed (uncaught exception)"
        e = (m.group(1).decode("utf-8", "replace") if m else e)
    elif a["rc"] in TIMEOUT_RC and g1["rc"] not in TIMEOUT_RC:
        cause = "andon timed out"
    elif a["rc"] == 255 and g1["rc"] != 255:
        cause = "andon exits 255 with an error that is not worded as a refusal"
    elif norm(a["out"], ln) == norm(g1["out"], ln):
        cause = "exit code only"
    elif a["rc"] != 0 and g1["rc"] == 0:
        cause = "andon failed, GNU succeeded"
    elif a["rc"] != g1["rc"]:
        cause = "stdout and exit code differ"
    else:
        cause = "stdout differs (same exit code)"
    note = f"{cause}; exit gnu={g1['rc']} andon={a['rc']}"
    if norm(a["out"], ln) != norm(g1["out"], ln): note += "; diff: " + short_diff(g1["out"], a["out"], ln)
    if e: note += "; andon stderr: " + e[:160]
    return "differs", note, ("differs", cause)

def main():
    rows = [l.rstrip("\n").split("\t", 1) for l in open(f"{BASE}/candidates.tsv") if l.strip()]
    out, stats = [], collections.Counter()
    refusals, causes, masked = collections.Counter(), collections.defaultdict(list), []
    for i, (doc, ln) in enumerate(rows, 1):
        v, note, extra = classify(i, ln)
        stats[v] += 1
        out.append((ln, v, note, doc, i))
        if extra and extra[0] == "refused": refusals[reason_key(extra[1])] += 1
        if extra and extra[0] == "differs": causes[extra[1]].append((i, ln, note))
        if extra and extra[0] == "masked": masked.append((i, ln, note))
    with open(f"{BASE}/lines.tsv", "w") as f:
        f.write("line\tverdict\tnote\tdoc\tidx\n")
        for ln, v, note, doc, i in out: f.write(f"{esc(ln)}\t{v}\t{esc(note)}\t{doc}\t{i}\n")
    rep = stats["same"] + stats["refused"] + stats["differs"]
    pct = lambda n: f"{100.0*n/rep:.1f}%" if rep else "-"
    same_nz = sum(1 for ln, v, note, d, i in out if v == "same" and note.startswith("gnu exit"))
    dropped = [l.rstrip("\n").split("\t") for l in open(f"{BASE}/dropped.tsv") if l.strip()]
    dc = collections.Counter(r for d in dropped for r in d[1].split(","))
    nr = collections.Counter(note for ln, v, note, d, i in out if v == "not-reproducible")
    S = []
    S.append("# andon vs GNU parallel 20221122 on the command lines of GNU parallel's own documentation\n")
    S.append("## Result\n")
    S.append(f"- doc lines invoking `parallel` (deduplicated): {len(rows)+len(dropped)}; dropped by the filters: {len(dropped)}; candidates run: {len(rows)}")
    S.append(f"- not reproducible with GNU parallel (two GNU runs disagree or time out): {stats['not-reproducible']}" + (f" ({', '.join(f'{k}: {n}' for k, n in nr.most_common())})" if nr else ""))
    if stats["not-run"]: S.append(f"- not run: {stats['not-run']}")
    S.append(f"- **reproducible lines: {rep}**")
    S.append(f"  - **same: {stats['same']} ({pct(stats['same'])})** — of which {same_nz} are lines where GNU itself exits non-zero (andon matches the failure)")
    if masked:
        S.append(f"    - caveat: in {len(masked)} of the `same` lines andon printed a refusal, but GNU failed as well or the line's own pipeline/redirect hid it: " + "; ".join(f"`{ln}`" for i, ln, n in masked))
    S.append(f"  - **refused: {stats['refused']} ({pct(stats['refused'])})** — andon exit 255 (or, inside a pipeline, a refusal on stderr) saying unknown option / not supported / does not read / refused")
    S.append(f"  - **differs: {stats['differs']} ({pct(stats['differs'])})**\n")
    S.append("## Refusal reasons (andon's first stderr line up to the first ';', Perl expression elided; counts)\n")
    for r, n in refusals.most_common(): S.append(f"- {n} × `{r}`")
    S.append("\n## Differences, grouped by apparent cause (auto-grouped; see lines.tsv for every line)\n")
    for c, items in sorted(causes.items(), key=lambda kv: -len(kv[1])):
        S.append(f"### {c}: {len(items)}\n")
        for i, ln, note in items[:3]:
            S.append(f"- `{ln}`  \n  {note[:400]}")
        S.append("")
    if os.path.exists(f"{BASE}/analysis_notes.md"):
        S.append(open(f"{BASE}/analysis_notes.md").read())
    S.append("## Method\n")
    S.append(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "method.md")).read().replace("@DROPCOUNTS@", ", ".join(f"{k}: {n}" for k, n in dc.most_common())))
    open(f"{BASE}/summary.md", "w").write("\n".join(S) + "\n")
    print(dict(stats), "reproducible", rep)

main()
