import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError, loadConfigFile, parseConfigText } from '../../../agent/config/load-config-file.js';
import { buildScanConfig, DEFAULT_DENY_UNITS } from '../../../agent/config/scan-config.js';

describe('agent config file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'afterpatch-config-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts a valid file', async () => {
    const config = await parseConfigText(
      '{"scan":{"tempPolicy":"ignore","denyUnits":["x.service"]}}',
      'f.json',
    );
    assert.equal(config.scan?.tempPolicy, 'ignore');
  });

  it('accepts and checks the agent section', async () => {
    const config = await parseConfigText(
      '{"agent":{"serverUrl":"https://s.example","scanIntervalSeconds":600,"outboxMaxReports":10}}',
      'f.json',
    );
    assert.equal(config.agent?.scanIntervalSeconds, 600);
    await assert.rejects(
      () => parseConfigText('{"agent":{"scanIntervalSeconds":1}}', 'f.json'),
      /scanIntervalSeconds/,
    );
    await assert.rejects(() => parseConfigText('{"agent":{"credential":"x"}}', 'f.json'), ConfigError);
  });

  it('names the file and the bad field', async () => {
    await assert.rejects(
      () => parseConfigText('{"scan":{"tempPolicy":"sometimes"}}', '/etc/afterpatch/agent.json'),
      (err: Error) =>
        err instanceof ConfigError && /agent\.json/.test(err.message) && /tempPolicy/.test(err.message),
    );
  });

  it('rejects unknown keys (typos must not pass silently)', async () => {
    await assert.rejects(() => parseConfigText('{"scan":{"ignorePath":["/x"]}}', 'f.json'), /ignorePath/);
    await assert.rejects(() => parseConfigText('{"scna":{}}', 'f.json'), ConfigError);
  });

  it('reports malformed JSON', async () => {
    await assert.rejects(() => parseConfigText('{"scan":', 'f.json'), /not valid JSON/);
  });

  it('treats a missing default file as empty, a missing named file as an error', async () => {
    await assert.rejects(
      () => loadConfigFile(join(dir, 'absent.json')),
      /cannot read config file \(ENOENT\)/,
    );
    const file = join(dir, 'agent.json');
    writeFileSync(file, '{"scan":{"scripts":false}}');
    assert.deepEqual(await loadConfigFile(file), { config: { scan: { scripts: false } }, source: file });
  });
});

describe('buildScanConfig', () => {
  it('layers defaults, file and flags; lists from flags are added', () => {
    const config = buildScanConfig(
      { tempPolicy: 'ignore', ignorePaths: ['/a/**'], modifiedToleranceSeconds: 5 },
      { tempPolicy: 'report', ignorePaths: ['/b/**'], denyUnits: ['ssh.service'] },
    );
    assert.equal(config.tempPolicy, 'report');
    assert.deepEqual(config.ignorePaths, ['/a/**', '/b/**']);
    assert.deepEqual(config.denyUnits, [...DEFAULT_DENY_UNITS, 'ssh.service']);
    assert.equal(config.modifiedToleranceMs, 5000);
    assert.equal(Object.isFrozen(config), true);
  });
});

describe('the executor section', () => {
  it('accepts hooks, health commands and binaries, and names each bad field', async () => {
    const good = await parseConfigText(
      JSON.stringify({
        agent: { bootIdFile: '/run/sim/boot_id' },
        executor: {
          allowReboot: false,
          denyUnits: ['db-*.service'],
          systemctlPath: '/bin/systemctl',
          preHooks: [{ name: 'drain', argv: ['/usr/local/bin/lb', 'drain'], timeoutSeconds: 30 }],
          healthCommands: { pg: { argv: ['/usr/bin/pg_isready'] } },
        },
      }),
      'agent.json',
    );
    assert.equal(good.executor?.allowReboot, false);
    await assert.rejects(
      () =>
        parseConfigText(
          '{"executor":{"systemctlPath":"systemctl","preHooks":[{"name":"x","argv":[]}]}}',
          'a.json',
        ),
      (err: Error) =>
        /a\.json: invalid configuration/.test(err.message) &&
        err.message.includes('/executor/systemctlPath') &&
        err.message.includes('/executor/preHooks/0/argv'),
    );
    await assert.rejects(
      () => parseConfigText('{"executor":{"allowReboots":false}}', 'a.json'),
      /invalid configuration/,
    );
  });
});
