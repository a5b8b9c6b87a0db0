#!/bin/bash
# Builds DIR (default $ANDON_CORPUS_DIR/fix): the files the doc lines commonly reference.
# Contents follow the generator commands given in parallel_tutorial where there is one.
set -e
F=${1:-${ANDON_CORPUS_DIR:-/tmp/andon-corpus}/fix}
rm -rf "$F"; mkdir -p "$F"; cd "$F"
# parallel_tutorial's input files
printf 'A\nB\nC\n' > abc-file
printf 'D\nE\nF\n' > def-file
printf 'A\0B\0C\0' > abc0-file
printf 'A_B_C_' > abc_-file
printf 'f1\tf2\nA\tB\nC\tD\n' > tsv-file.tsv
seq 8 > num8; seq 128 > num128; seq 30000 > num30000; seq 1000000 > num1000000
(echo %head1; echo %head2; seq 10) > num_%header
printf 'HHHHAAABBBCCC' > fixedlen
# parallel.rst's --group-by example table
printf 'UserID, Consumption\n123,    1\n123,    2\n12-3,   1\n221,    3\n221,    1\n2/21,   5\n' > table.csv
# generic text files
printf 'hello world\none two three\nfoo bar\nsingle\n' > file
printf 'first file\n' > file1; printf 'second file\n' > file2
printf 'alpha\nbeta\ngamma\n' > input.txt
printf 'aardvark\nbabble\ncab\ndab\neach\n' > in.txt
printf 'line one\nline two\nline three\n' > textfile
printf 'file\nabc-file\nnum8\n' > list
printf 'file\nmissing1\nabc-file\nmissing2\n' > file_list
printf 'foo\nbar\n[0-9]3\n' > regexps.txt
seq 1 5000 | sed 's/^/record foo /' > bigfile
seq 1 100 > myfile; seq 1 50 > data
printf 'echo job one\necho job two\necho job three\n' > jobs_to_run
printf 'Name\tE-mail address\nJoe\tjoe@example.org\nAnn\tann@example.org\n' > addressbook.tsv
printf 'a,b,c\n1,2,3\n' > my.csv
printf 'ls | wc >> c\nnothing\n' > foo
# *.txt, *.html, *.jpg, *.gz, *.zip, *.tar.gz, *.tgz, log.N, *.es.*, *y01*
printf 'notes\n' > notes.txt
printf '<html>index FOO BAR</html>\n' > index.html; printf '<html>page</html>\n' > page.html
printf 'es page\n' > page.es.html
printf 'fakejpeg1\n' > pict0001.jpg; printf 'fakejpeg2\n' > photo.jpg
printf 'gz one\n' > one.log; printf 'gz two\n' > two.log
gzip -n one.log; gzip -n two.log         # one.log.gz two.log.gz
printf 'log %s\n' 1 > log.1; printf 'log %s\n' 2 > log.2; printf 'log %s\n' 3 > log.3
printf 'x1y01\n' > x1y01z1; printf 'x1y02\n' > x1y02z1
mkdir -p dir1 srcdir; printf 'a\n' > dir1/a; printf 'b\n' > dir1/b; printf 's\n' > srcdir/s
(cd srcdir && zip -q -X ../archive.zip s && tar -czf ../pkg.tar.gz s && tar -czf ../foo.tgz s)
mkdir -p tmp     # /tmp/... paths in the lines are rewritten to tmp/...
touch -d '2022-01-01 00:00:00' $(find . -type f) . dir1 srcdir tmp
