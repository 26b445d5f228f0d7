import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kernelFlavour } from '../../../agent/reboot/kernel-flavour.js';

describe('kernelFlavour', () => {
  const cases: [string, string][] = [
    ['6.1.0-21-amd64', 'amd64'],
    ['6.1.0-21-rt-amd64', 'rt-amd64'],
    ['6.1.0-21-cloud-amd64', 'cloud-amd64'],
    ['6.12.27+deb13-amd64', 'amd64'],
    ['6.9.7+bpo-amd64', 'amd64'],
    ['6.12.27+deb13-rt-amd64', 'rt-amd64'],
    ['6.8.0-31-generic', 'generic'],
    ['5.15.0-1051-azure', 'azure'],
    ['6.6.32-1-lts', 'lts'],
    ['5.14.0-427.13.1.el9_4.x86_64+rt', '+rt'],
    ['6.8.5-301.fc40.x86_64+debug', '+debug'],
    ['6.8.5-301.fc40.x86_64', ''],
    ['6.9.3-arch1-1', ''],
    ['6.9.3', ''],
  ];
  for (const [release, flavour] of cases) {
    it(`${release} -> "${flavour}"`, () => assert.equal(kernelFlavour(release), flavour));
  }
});
