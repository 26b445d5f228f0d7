// `afterpatch config check`: the effective configuration with secrets masked, or the field at fault.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cleanEnv, runAfterpatch } from '../helpers/run-cli.js';
import { createScratch } from '../helpers/scratch.js';

describe('afterpatch config check', { timeout: 60_000 }, () => {
  it('agent: prints the merged configuration; an invalid field is named, exit 64', async (t) => {
    const dir = createScratch(t).dir;
    const good = join(dir, 'agent.json');
    writeFileSync(
      good,
      JSON.stringify({ agent: { serverUrl: 'https://ap.example/' }, scan: { tempPolicy: 'ignore' } }),
    );
    const ok = await runAfterpatch(
      ['config', 'check', good],
      cleanEnv({ AFTERPATCH_ENROLL_TOKEN: 'apet_secret' }),
    );
    assert.equal(ok.code, 0, ok.stderr);
    const effective = JSON.parse(ok.stdout);
    assert.equal(effective.agent.serverUrl, 'https://ap.example');
    assert.equal(effective.agent.wsUrl, 'wss://ap.example/api/v1/agent/ws');
    assert.equal(effective.agent.scanIntervalSeconds, 3600);
    assert.equal(effective.agent.enrollToken, '********');
    assert.equal(effective.scan.tempPolicy, 'ignore');
    assert.doesNotMatch(ok.stdout, /apet_secret/);

    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ agent: { scanIntervalSeconds: 'hourly' }, scan: { colour: true } }));
    const refused = await runAfterpatch(['config', 'check', '--agent', bad]);
    assert.equal(refused.code, 64);
    assert.match(refused.stderr, /bad\.json: invalid configuration/);
    assert.match(refused.stderr, /\/agent\/scanIntervalSeconds/);
  });

  it('server: file + environment merged, secrets and the database password masked', async (t) => {
    const dir = createScratch(t).dir;
    const file = join(dir, 'server.json');
    writeFileSync(file, JSON.stringify({ dataDir: '/var/lib/afterpatch', port: 9090 }));
    const env = cleanEnv({
      DATABASE_URL: 'postgres://ap:hunter2hunter2@db:5432/ap',
      AFTERPATCH_JWT_SECRET: 'x'.repeat(40),
      AFTERPATCH_LOG_LEVEL: 'debug',
    });
    const ok = await runAfterpatch(['config', 'check', '--server', file], env);
    assert.equal(ok.code, 0, ok.stderr);
    const effective = JSON.parse(ok.stdout);
    assert.equal(effective.port, 9090);
    assert.equal(effective.logLevel, 'debug');
    assert.equal(effective.jwtSecret, '********');
    assert.equal(effective.databaseUrl, 'postgres://ap:********@db:5432/ap');
    assert.doesNotMatch(ok.stdout, /hunter2|xxxxxxxx/);

    writeFileSync(file, JSON.stringify({ dataDir: '/x', port: 70000 }));
    const refused = await runAfterpatch(['config', 'check', '--server', file]);
    assert.equal(refused.code, 64);
    assert.match(refused.stderr, /invalid configuration: port/);
  });
});
