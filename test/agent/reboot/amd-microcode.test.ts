import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newestAmdRevision, parseAmdMicrocode } from '../../../agent/reboot/amd-microcode.js';
import { buildAmdContainer } from './build-firmware.js';

const MILAN = 0x00a00f11;
const MILAN_B2 = 0x00a00f12;
const ROME = 0x00830f10;

describe('parseAmdMicrocode', () => {
  it('reads the equivalence table and the patch headers', () => {
    const parsed = parseAmdMicrocode(
      buildAmdContainer({
        equivalences: [
          { signature: MILAN, equivId: 0xa011 },
          { signature: MILAN_B2, equivId: 0xa012 },
        ],
        patches: [
          { patchId: 0x0a0011d5, equivId: 0xa011 },
          { patchId: 0x0a001238, equivId: 0xa012 },
        ],
      }),
    );
    assert.equal(parsed.error, undefined);
    assert.deepEqual(parsed.containers, [
      {
        equivalences: [
          { signature: MILAN, equivId: 0xa011 },
          { signature: MILAN_B2, equivId: 0xa012 },
        ],
        patches: [
          { patchId: 0x0a0011d5, equivId: 0xa011 },
          { patchId: 0x0a001238, equivId: 0xa012 },
        ],
      },
    ]);
  });

  it('reads several containers and tolerates zero padding', () => {
    const file = Buffer.concat([
      buildAmdContainer({
        equivalences: [{ signature: ROME, equivId: 0x8310 }],
        patches: [{ patchId: 0x0830107b, equivId: 0x8310 }],
      }),
      buildAmdContainer({
        equivalences: [{ signature: MILAN, equivId: 0xa011 }],
        patches: [{ patchId: 0x0a0011d5, equivId: 0xa011 }],
      }),
      Buffer.alloc(16),
    ]);
    const parsed = parseAmdMicrocode(file);
    assert.equal(parsed.error, undefined);
    assert.equal(parsed.containers.length, 2);
    assert.equal(newestAmdRevision(parsed, ROME), 0x0830107b);
    assert.equal(newestAmdRevision(parsed, MILAN), 0x0a0011d5);
  });

  it('reports a missing magic or a truncated patch', () => {
    assert.match(parseAmdMicrocode(Buffer.from('this is not a container')).error ?? '', /no container magic/);
    const good = buildAmdContainer({
      equivalences: [{ signature: MILAN, equivId: 0xa011 }],
      patches: [{ patchId: 1, equivId: 0xa011 }],
    });
    const cut = parseAmdMicrocode(good.subarray(0, good.length - 10));
    assert.match(cut.error ?? '', /truncated patch/);
    assert.equal(cut.containers[0]?.equivalences.length, 1);
  });
});

describe('newestAmdRevision', () => {
  it('maps the CPU signature through the equivalence table to the highest patch', () => {
    const parsed = parseAmdMicrocode(
      buildAmdContainer({
        equivalences: [
          { signature: MILAN, equivId: 0xa011 },
          { signature: MILAN_B2, equivId: 0xa012 },
        ],
        patches: [
          { patchId: 0x0a0011d3, equivId: 0xa011 },
          { patchId: 0x0a0011d5, equivId: 0xa011 },
          { patchId: 0x0a001299, equivId: 0xa012 },
          { patchId: 0x0a0011ff, equivId: 0xa011, size: 16 }, // too short to have a header: skipped
        ],
      }),
    );
    assert.equal(newestAmdRevision(parsed, MILAN), 0x0a0011d5);
    assert.equal(newestAmdRevision(parsed, MILAN_B2), 0x0a001299);
    assert.equal(newestAmdRevision(parsed, ROME), undefined);
  });
});
