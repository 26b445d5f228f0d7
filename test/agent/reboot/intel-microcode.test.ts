import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newestIntelRevision, parseIntelMicrocode } from '../../../agent/reboot/intel-microcode.js';
import { buildIntelUpdate } from './build-firmware.js';

const KABY = 0x000806ea;
const COFFEE = 0x000906ea;

describe('parseIntelMicrocode', () => {
  it('walks concatenated updates and reads revision, signature and platform flags', () => {
    const file = Buffer.concat([
      buildIntelUpdate({ revision: 0xf0, signature: KABY, processorFlags: 0xc0 }),
      buildIntelUpdate({ revision: 0xf4, signature: KABY, processorFlags: 0xc0, dataSize: 1024 }),
    ]);
    const parsed = parseIntelMicrocode(file);
    assert.equal(parsed.error, undefined);
    assert.deepEqual(parsed.updates, [
      { revision: 0xf0, signatures: [{ signature: KABY, processorFlags: 0xc0 }] },
      { revision: 0xf4, signatures: [{ signature: KABY, processorFlags: 0xc0 }] },
    ]);
  });

  it('handles the legacy layout (data size 0 = 2000 data bytes, 2048 total)', () => {
    const legacy = buildIntelUpdate({ revision: 0x2e, signature: 0x6f6, dataSize: 0 });
    assert.equal(legacy.length, 2048);
    const parsed = parseIntelMicrocode(
      Buffer.concat([legacy, buildIntelUpdate({ revision: 0x30, signature: 0x6f6 })]),
    );
    assert.deepEqual(
      parsed.updates.map((u) => u.revision),
      [0x2e, 0x30],
    );
  });

  it('reads the extended signature table', () => {
    const parsed = parseIntelMicrocode(
      buildIntelUpdate({
        revision: 0xf8,
        signature: KABY,
        extended: [{ signature: COFFEE, processorFlags: 0x2 }],
      }),
    );
    assert.deepEqual(parsed.updates[0]?.signatures[1], { signature: COFFEE, processorFlags: 0x2 });
    assert.equal(newestIntelRevision(parsed, COFFEE), 0xf8);
  });

  it('stops with an error on a truncated or foreign file, keeping what it read', () => {
    const good = buildIntelUpdate({ revision: 0xf0, signature: KABY });
    const truncated = parseIntelMicrocode(Buffer.concat([good, good.subarray(0, 50)]));
    assert.equal(truncated.updates.length, 1);
    assert.match(truncated.error ?? '', /truncated update/);
    assert.match(
      parseIntelMicrocode(Buffer.from('#!/bin/sh\necho not microcode at all here....................\n'))
        .error ?? '',
      /header version/,
    );
    const badSize = Buffer.from(good);
    badSize.writeUInt32LE(40, 32); // total smaller than header + data
    assert.match(parseIntelMicrocode(badSize).error ?? '', /bad sizes/);
  });
});

describe('newestIntelRevision', () => {
  const parsed = parseIntelMicrocode(
    Buffer.concat([
      buildIntelUpdate({ revision: 0xf4, signature: KABY, processorFlags: 0xc0 }),
      buildIntelUpdate({ revision: 0xfa, signature: KABY, processorFlags: 0x02 }),
      buildIntelUpdate({ revision: 0x100, signature: COFFEE, processorFlags: 0xff }),
    ]),
  );

  it('takes the highest revision whose signature matches', () => {
    assert.equal(newestIntelRevision(parsed, KABY), 0xfa);
    assert.equal(newestIntelRevision(parsed, 0x000a0652), undefined);
  });

  it('honours the platform flags when they are known', () => {
    assert.equal(newestIntelRevision(parsed, KABY, 0x80), 0xf4);
    assert.equal(newestIntelRevision(parsed, KABY, 0x02), 0xfa);
    assert.equal(newestIntelRevision(parsed, KABY, 0x01), undefined);
  });
});
