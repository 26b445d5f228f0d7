import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Compile } from 'typebox/compile';
import { formatJson } from '../../../agent/output/format-json.js';
import { ScanReport } from '../../../shared/scan-report.js';
import { docExample, readScanReportDocs } from './docs-examples.js';
import { documentedReport, SAMPLE_REPORTS, servicesReport } from './sample-reports.js';

describe('formatJson', () => {
  test('round-trips every sample, still valid against the schema', () => {
    const validator = Compile(ScanReport);
    for (const build of Object.values(SAMPLE_REPORTS)) {
      for (const pretty of [true, false]) {
        const parsed: unknown = JSON.parse(formatJson(build(), { pretty }));
        assert.deepEqual(parsed, build());
        assert.ok(validator.Check(parsed));
      }
    }
  });

  test('pretty output is indented by two spaces and ends with a newline', () => {
    const text = formatJson(servicesReport(), { pretty: true });
    assert.ok(text.startsWith('{\n  "schemaVersion": 1,\n  "tool": {\n    "name": "afterpatch",'));
    assert.ok(text.endsWith('\n}\n'));
  });

  test('compact output is a single line ending with a newline', () => {
    const text = formatJson(servicesReport(), { pretty: false });
    assert.equal(text.indexOf('\n'), text.length - 1);
    assert.ok(text.startsWith('{"schemaVersion":1,"tool":{"name":"afterpatch"'));
  });
});

describe('docs/scan-report.md', () => {
  /** Every field path in the schema, e.g. `processes[].files[].package.name`. */
  function fieldPaths(schema: unknown, prefix = ''): string[] {
    const node = schema as { type?: string; properties?: Record<string, unknown>; items?: unknown };
    if (node.type === 'object' && node.properties) {
      return Object.entries(node.properties).flatMap(([key, child]) => {
        const path = prefix ? `${prefix}.${key}` : key;
        return [path, ...fieldPaths(child, path)];
      });
    }
    if (node.type === 'array' && node.items) return fieldPaths(node.items, `${prefix}[]`);
    return [];
  }

  test('documents every field of the schema', () => {
    const docs = readScanReportDocs();
    const paths = fieldPaths(ScanReport);
    assert.ok(paths.length > 80, `walked the schema (${paths.length} fields)`);
    const missing = paths.filter((path) => !docs.includes(`\`${path}\``));
    assert.deepEqual(missing, []);
  });

  test('the JSON example is a valid report, the one sample-reports.ts builds', () => {
    const parsed: unknown = JSON.parse(docExample('json'));
    assert.deepEqual([...Compile(ScanReport).Errors(parsed)], []);
    assert.deepEqual(parsed, documentedReport());
  });
});
