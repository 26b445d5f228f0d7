import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { assessCorePackages } from '../../../agent/reboot/assess-core-packages.js';
import { parseRpmQueryOutput } from '../../../agent/reboot/parse-rpm-query.js';
import { fixturePath } from '../../helpers/paths.js';

const installed = parseRpmQueryOutput(readFileSync(fixturePath('reboot', 'rpm-query-fedora40.txt'), 'utf8'));

describe('assessCorePackages', () => {
  it('lists the packages installed after the boot, with versions', () => {
    const bootTimeMs = 1718000000 * 1000; // after the 6.8.5 kernel, before the June updates
    const reason = assessCorePackages(installed, bootTimeMs);
    assert.equal(reason?.code, 'core-package-updated');
    assert.deepEqual(reason?.packages, ['glibc', 'kernel', 'kernel-core', 'systemd']);
    assert.match(reason?.message ?? '', /after the last boot \(2024-06-10T06:13:20\.000Z\)/);
    assert.match(
      reason?.message ?? '',
      /glibc 2\.39-15\.fc40, kernel 6\.9\.4-200\.fc40, kernel-core 6\.9\.4-200\.fc40 and systemd 255\.8-1\.fc40/,
    );
  });

  it('returns undefined when everything predates the boot, including the same second', () => {
    assert.equal(assessCorePackages(installed, 1718268200 * 1000), undefined);
    assert.equal(assessCorePackages([], 0), undefined);
  });
});
