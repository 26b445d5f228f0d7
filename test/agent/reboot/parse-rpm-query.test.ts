import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseRpmQueryOutput, RPM_REBOOT_PACKAGES } from '../../../agent/reboot/parse-rpm-query.js';
import { fixturePath } from '../../helpers/paths.js';

describe('parseRpmQueryOutput', () => {
  it('parses installed packages and skips "is not installed" lines', () => {
    const stdout = readFileSync(fixturePath('reboot', 'rpm-query-fedora40.txt'), 'utf8');
    const parsed = parseRpmQueryOutput(stdout, RPM_REBOOT_PACKAGES);
    assert.equal(parsed.length, 11);
    assert.deepEqual(parsed[0], { name: 'kernel', version: '6.8.5-301.fc40', installTimeSec: 1713180000 });
    assert.deepEqual(
      parsed.filter((p) => p.name === 'kernel-core').map((p) => p.version),
      ['6.8.5-301.fc40', '6.9.4-200.fc40'],
    );
    assert.ok(!parsed.some((p) => p.name === 'package'));
  });

  it('ignores names that were not asked for and malformed lines', () => {
    const stdout =
      'bash 5.2.26-3.fc40 1713180000\nglibc 2.39-15.fc40 notatime\nglibc 2.39-15.fc40 1718268100\n\n';
    assert.deepEqual(parseRpmQueryOutput(stdout, ['glibc']), [
      { name: 'glibc', version: '2.39-15.fc40', installTimeSec: 1718268100 },
    ]);
    assert.equal(parseRpmQueryOutput(stdout).length, 2);
  });

  it('covers both dnf lists', () => {
    for (const name of ['kernel', 'kernel-core', 'kernel-rt', 'glibc', 'linux-firmware', 'systemd', 'dbus']) {
      assert.ok(RPM_REBOOT_PACKAGES.includes(name), name);
    }
    for (const name of ['dbus-broker', 'dbus-daemon', 'microcode_ctl', 'gnutls', 'openssl-libs', 'udev']) {
      assert.ok(RPM_REBOOT_PACKAGES.includes(name), name);
    }
  });
});
