import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseRebootRequiredPackages } from '../../../agent/reboot/parse-reboot-required-packages.js';
import { fixturePath } from '../../helpers/paths.js';

describe('parseRebootRequiredPackages', () => {
  it('deduplicates the names package scripts appended, keeping file order', () => {
    const text = readFileSync(fixturePath('reboot', 'reboot-required.pkgs'), 'utf8');
    assert.deepEqual(parseRebootRequiredPackages(text), ['linux-image-6.1.0-21-amd64', 'libc6', 'dbus']);
  });

  it('trims blanks and CR, drops control characters, and caps the count', () => {
    assert.deepEqual(parseRebootRequiredPackages(' libc6 \r\n\n\x1b[2Jdbus\n'), ['libc6', '[2Jdbus']);
    const many = Array.from({ length: 50 }, (_, i) => `pkg${i}`).join('\n');
    assert.equal(parseRebootRequiredPackages(many, 10).length, 10);
    assert.deepEqual(parseRebootRequiredPackages(''), []);
  });
});
