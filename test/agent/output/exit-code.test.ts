import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EXIT_CODES, exitCodeFor } from '../../../agent/output/exit-code.js';
import { readScanReportDocs } from './docs-examples.js';
import { cleanHostReport, deniedUnitReport, rebootReport, servicesReport } from './sample-reports.js';

describe('exitCodeFor', () => {
  test('0 when nothing is needed', () => {
    assert.equal(exitCodeFor(cleanHostReport()), 0);
  });

  test('1 when processes must be restarted, including a PID 1 re-exec', () => {
    assert.equal(exitCodeFor(servicesReport()), 1);
    assert.equal(exitCodeFor(deniedUnitReport()), 1);
  });

  test('2 when a reboot is required, even with restarts pending', () => {
    assert.equal(exitCodeFor(rebootReport()), 2);
  });
});

describe('EXIT_CODES', () => {
  test('is frozen and keeps usage and internal errors clear of the scan outcomes', () => {
    assert.ok(Object.isFrozen(EXIT_CODES));
    assert.deepEqual(EXIT_CODES, { ok: 0, restart: 1, reboot: 2, usage: 64, internal: 70 });
  });

  test('matches the table in docs/scan-report.md', () => {
    const docs = readScanReportDocs();
    const section = docs.split(/^## /m).find((s) => s.startsWith('Exit codes'));
    assert.ok(section, 'docs/scan-report.md has an "Exit codes" section');
    const rows = [...section.matchAll(/^\|\s*`(\d+)`\s*\|\s*`([a-z]+)`\s*\|/gm)].map((m) => [
      m[2],
      Number(m[1]),
    ]);
    assert.deepEqual(Object.fromEntries(rows), { ...EXIT_CODES });
  });
});
