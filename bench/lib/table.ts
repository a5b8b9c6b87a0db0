/**
 * Turns a suite's rows into a table, as aligned plain text for the terminal or as Markdown for
 * RESULTS.md. Columns: the measurement, andon's figure, each peer's, andon ÷ each peer, the
 * target and PASS/MISS. The ratio is always andon ÷ peer, so whether above 1 is good depends
 * on the row: the unit column says "higher is better" or "lower is better".
 */
import type { Row, SuiteResult } from './suite.js';

const DASH = '—';

function figure(value: number | undefined, decimals: number): string {
  if (value === undefined) return DASH;
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

function ratio(andon: number, peer: number | undefined): string {
  if (peer === undefined || peer === 0) return DASH;
  const r = andon / peer;
  return `${r.toFixed(r < 10 ? 2 : 1)}×`;
}

function unit(row: Row): string {
  return `${row.unit} (${row.better === 'higher' ? '↑' : '↓'})`;
}

/** The header and cells of a result, before any layout. */
function cells(result: SuiteResult): { header: string[]; body: string[][] } {
  const peers = result.suite.peers;
  const header = ['Measurement', 'Unit', 'andon', ...peers, ...peers.map((p) => `andon/${p}`), 'Target', 'Result'];
  const body = result.rows.map((row) => {
    const decimals = row.decimals ?? 0;
    return [
      row.label,
      unit(row),
      figure(row.andon, decimals),
      ...peers.map((p) => figure(row.peers[p], decimals)),
      ...peers.map((p) => ratio(row.andon, row.peers[p])),
      row.target?.text ?? DASH,
      row.target === undefined ? DASH : row.target.met ? 'PASS' : 'MISS',
    ];
  });
  return { header, body };
}

/** Columns after the first two hold numbers and are right-aligned. */
const isNumeric = (column: number, width: number): boolean => column >= 2 && column < width - 2;

/** Plain text, padded to align, for the terminal. */
export function textTable(result: SuiteResult): string {
  const { header, body } = cells(result);
  const all = [header, ...body];
  const widths = header.map((_, c) => Math.max(...all.map((r) => [...(r[c] ?? '')].length)));
  const line = (r: string[]): string =>
    r
      .map((cell, c) => {
        const pad = ' '.repeat((widths[c] ?? 0) - [...cell].length);
        return isNumeric(c, header.length) ? pad + cell : cell + pad;
      })
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...body.map(line)].join('\n');
}

/** GitHub-flavoured Markdown, for RESULTS.md. */
export function markdownTable(result: SuiteResult): string {
  const { header, body } = cells(result);
  const escapeCell = (cell: string): string => cell.replaceAll('|', '\\|');
  const line = (r: string[]): string => `| ${r.map(escapeCell).join(' | ')} |`;
  const align = header.map((_, c) => (isNumeric(c, header.length) ? '--:' : ':--'));
  return [line(header), `|${align.join('|')}|`, ...body.map(line)].join('\n');
}

/** The note under every table: how to read the ratio and the arrows. */
export const RATIO_NOTE =
  'Ratio = andon ÷ peer. ↑ higher is better (ratio > 1 favours andon); ↓ lower is better (ratio < 1 favours andon).';
