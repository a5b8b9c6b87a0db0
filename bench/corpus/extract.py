#!/usr/bin/env python3
"""Extract candidate one-line GNU parallel commands from the docs.

The Debian .rst files are empty (0 bytes), so verbatim blocks are taken from the
HTML renderings of the same POD sources (<pre><code> == rst '::' blocks)."""
import html, re, sys, json
DOC = "/usr/share/doc/parallel/"
FILES = ["parallel", "parallel_tutorial", "parallel_examples", "parallel_design"]

def blocks(name):
    t = open(DOC + name + ".html", encoding="utf-8").read()
    for m in re.finditer(r"<pre><code>(.*?)</code></pre>", t, re.S):
        yield html.unescape(re.sub(r"<[^>]+>", "", m.group(1)))

def lines_of(block):
    out, cur = [], ""
    for ln in block.split("\n"):
        if cur:
            cur += " " + ln.strip()
        else:
            cur = ln.rstrip()
        if cur.endswith("\\") and not cur.endswith("\\\\"):
            cur = cur[:-1].rstrip()
            continue
        out.append(cur); cur = ""
    if cur: out.append(cur)
    return out

INVOKE = re.compile(r"^\s*(\$ )?\s*parallel(\s|$)|\|\s*parallel(\s|$)")
# reasons to drop a line: (reason, regex)
CP = r"(?:^|[\s|;&('\"`])"      # command-position-ish prefix
CP = r"(?:^|[|;&('\"`]\s*|parallel\s+(?:-\S+\s+)*)"  # tighter: after a separator or as parallel's command
CE = r"(?=$|[\s'\";)|&`])"
DROP = [
 ("remote", r"(^|\s)(-S|--sshlogin|--slf|--sshloginfile|--transferfile|--transfer|--tf|--return|--trc|--basefile|--bf|--onall|--nonall|--cleanup|--workdir|--wd|--controlmaster|--ssh|--sshdelay|--filter-hosts|--env)(\s|=|$)|(^|\s)-S\S|\bserver\d?\b|\bfooserver\b|\.example\.(com|net)|\w:/|\w@\w|\$SERVER|\$SERVERS"),
 ("sql", r"--sql|\bsql\b|mysql|pg:|sqlite|\$DBURL|\$dbtableurl"),
 ("tmux", r"--tmux|--tmuxpane"),
 ("semaphore", r"--semaphore|"+CP+r"sem"+CE+r"|(^|\s)--(fg|bg|id|semaphoretimeout|st)(\s|=|$)"),
 ("niceload", r"niceload"),
 ("network", CP+r"(wget|curl|lynx|ssh|rsync|scp|ftp|nc|ping|nmap|traceroute|dig|youtube-dl|aws|gsutil|prips|host)"+CE+r"|https?:|ftp:|\$url\b|urlfile"),
 ("interactive", CP+r"(vi|vim|emacs|less|more|top|htop|nano|xterm|mutt|mplayer|gimp|firefox|display|eog|evince)"+CE+r"|--tty|--interactive|(^|\s)-p(\s|$)|/dev/tty|--open-tty|--citation|--bibtex|(^|\s)read\s+-"),
 ("sudo", CP+r"(sudo|su|doas)"+CE),
 ("long", r"\byes\b|sleep\s+([6-9]|\d\d+)(\s|$|[;'\"])|^(?!.*--pipe).*\bseq\s+(-w\s+)?(\d+\s+)?\d{7,}|:::\s+\d{8,}|9999999.*touch|inotifywait|tail\b[^|]*\s-f\b|while true|--retry-failed\s+--joblog\s+\S+$"),
 ("env-specific", r"(^|\s)(--version|--help|--max-line-length-allowed|--number-of-cpus|--number-of-cores|--number-of-threads|--number-of-sockets|--show-limits|--record-env|--embed|--minversion|-J|--profile)(\s|=|$)|env_parallel|\bparset\b|\bparcat\b|\bparsort\b|(^|\s)(ps|uptime|date|hostname|df|free|w|who|kill|killall|pkill|shutdown|reboot|mount|umount|dd|mkfs|chown|lsof|strace)(\s|$|;|')|/proc/|/var/|/dev/(u)?random|\$HOME|~/|\$COLUMNS|\$\(tput"),
 ("placeholder", r"\b(command|cmd|prog|myprog|program|my_prog|mycommand|my_command|do_something|dosomething|process_output|my_script|myscript|myfunc|my_func|doit|dowork|my_program|some_command|your_command|tester|show_signals|slow_seq|fastq-reader|options|arguments|destdir|mydir|sounddir|mirror_dir|my_dir|dir_to_process|inputdir|outputdir|do_test|the_program|perl_echo|doubleit|getit|mygenerator|your_prg|tracefile|cattail|apt-file)\b|\.\.\.\s|\[options\]|cat \.\.\.|\bcommand\d|\bcmd\d|<[a-z_ ]+>|which reads|\$\{[A-Za-z]+\[@\]|\$\{#[A-Za-z]+\[@\]|\bFILE\b|\bDIR\b"),
]
# external tools that the docs use: a line is dropped if one of them is not installed
TOOLS = "ffmpeg lame pigz pbzip2 mogrify sox identify csvtool zsh ksh csh tcsh fish 7z rar unrar blastn bwa samtools pdftotext tesseract exiftool pngcrush optipng oggenc flac mpg123 R Rscript octave matlab php java gcc make docker bzip2 zip unzip xz convert gzip zcat perl python3 bc jq file".split()
import shutil
MISSING = [t for t in TOOLS if not shutil.which(t)]
if MISSING:
    DROP.append(("missing-tool", CP+r"("+"|".join(map(re.escape, MISSING))+r")"+CE))
DROPC = [(r, re.compile(p)) for r, p in DROP]

def main():
    seen, cand, dropped = set(), [], []
    for f in FILES:
        for b in blocks(f):
            for ln in lines_of(b):
                ln = re.sub(r"^\s*\$ ", "", ln).strip()
                if not INVOKE.search(ln) or ln in seen: continue
                seen.add(ln)
                reasons = [r for r, rx in DROPC if rx.search(ln)]
                if ln.rstrip().endswith(("{", "(", "|", "&&", ";")) or "\t" in ln:
                    reasons.append("multiline")
                (dropped if reasons else cand).append((f, ln, ",".join(reasons)))
    with open("candidates.tsv", "w") as o:
        for f, ln, _ in cand: o.write(f"{f}\t{ln}\n")
    with open("dropped.tsv", "w") as o:
        for f, ln, r in dropped: o.write(f"{f}\t{r}\t{ln}\n")
    print(f"invoking lines: {len(seen)}  candidates: {len(cand)}  dropped: {len(dropped)}", file=sys.stderr)
main()
