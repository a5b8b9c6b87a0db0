/**
 * Renders docs/bad-input.md from the cases: `node dist/test/bad-input/render.js > docs/bad-input.md`
 * (`npm run catalogue`). The bad-input test fails when the document is out of date.
 */
import { anyPort, CASES, dir } from './cases.js';

/** The message as shown in the document: temporary paths replaced by <dir>. */
export function shown(message: string): string {
  return anyPort(message.replaceAll(dir, '<dir>').replaceAll(`file://${dir}`, 'file://<dir>'));
}

/** The whole document, from each case's actual message. */
export async function renderCatalogue(): Promise<string> {
  const rows: string[] = [];
  for (const badInput of CASES) {
    const { message, exitCode } = await badInput.run();
    const cell = shown(message)
      .replace(/file:\/\/\S*\/(dist\/test\/fixtures\/)/g, '.../$1')
      .replaceAll('|', '\\|');
    // A double-backquote code span can hold the single backquotes of the messages.
    rows.push(
      `| ${badInput.area} | ${badInput.input} | \`\` ${cell} \`\`${exitCode === undefined ? '' : ` (exit ${exitCode})`} |`,
    );
  }
  return `# Bad input, and what andon says

Every bad input andon rejects, with the exact message it gets. Each row is a case in
\`test/bad-input/cases.ts\`, run by \`test/bad-input.test.ts\`; this page is rendered from the
same cases (\`npm run catalogue\`), and the test fails if it is out of date. In the library
each message is the \`message\` of an \`OptionError\` thrown before any work starts, or the
error of the one task concerned; on the command line it is one line on stderr with exit
code 255 and nothing run.

| area | bad input | message |
| --- | --- | --- |
${rows.join('\n')}
`;
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  process.stdout.write(await renderCatalogue());
  const { rmSync } = await import('node:fs');
  rmSync(dir, { recursive: true, force: true });
}
