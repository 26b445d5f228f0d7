// Reads the examples out of docs/scan-report.md, so that tests can check the documentation
// shows what the code really prints. An example is the fenced block right after a
// `<!-- example: NAME -->` comment.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../helpers/paths.js';

export function readScanReportDocs(): string {
  return readFileSync(join(repoRoot, 'docs', 'scan-report.md'), 'utf8');
}

/** The content of the example block NAME, with a trailing newline like the outputs. */
export function docExample(name: string): string {
  const docs = readScanReportDocs();
  const marker = `<!-- example: ${name} -->\n`;
  const start = docs.indexOf(marker);
  if (start < 0) throw new Error(`docs/scan-report.md has no example "${name}"`);
  const fence = /^```[a-z]*\n([\s\S]*?)^```$/m.exec(docs.slice(start + marker.length));
  if (fence?.index !== 0) throw new Error(`example "${name}" is not followed by a fenced block`);
  return fence?.[1] ?? '';
}
