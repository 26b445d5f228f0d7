import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AGENT_DEFAULTS,
  AgentOptionsError,
  deriveWsUrl,
  normaliseServerUrl,
  resolveAgentOptions,
} from '../../../agent/daemon/agent-options.js';

describe('agent options', () => {
  it('derives the WebSocket URL from the server URL', () => {
    assert.equal(deriveWsUrl('http://server:8080'), 'ws://server:8080/api/v1/agent/ws');
    assert.equal(
      deriveWsUrl('https://fleet.example/afterpatch'),
      'wss://fleet.example/afterpatch/api/v1/agent/ws',
    );
    assert.equal(normaliseServerUrl('https://fleet.example:8443/'), 'https://fleet.example:8443');
  });

  it('refuses URLs the agent cannot use, saying why', () => {
    for (const [url, why] of [
      ['fleet.example', /must be a URL/],
      ['ftp://fleet.example', /http or https/],
      ['https://user:pw@fleet.example', /user or password/],
      ['https://fleet.example/?x=1', /query or fragment/],
    ] as const) {
      assert.throws(
        () => normaliseServerUrl(url),
        (err: Error) => err instanceof AgentOptionsError && why.test(err.message),
      );
    }
  });

  it('applies defaults, then the config file, then the flags', () => {
    const defaults = resolveAgentOptions({ flags: { server: 'https://s.example' } });
    assert.equal(defaults.stateDir, '/var/lib/afterpatch-agent');
    assert.equal(defaults.scanIntervalSeconds, 3600);
    assert.equal(defaults.outboxMaxReports, 100);
    assert.equal(defaults.outboxMaxBytes, 50 * 1024 * 1024);
    assert.equal(defaults.reconnectBaseSeconds, 1);
    assert.equal(defaults.reconnectCapSeconds, 300);
    assert.equal(defaults.heartbeatTimeoutSeconds, 75);
    assert.equal(defaults.once, false);
    assert.equal(defaults.enrollToken, undefined);
    assert.ok(Object.isFrozen(defaults));

    const fromFile = resolveAgentOptions({
      flags: { scanIntervalSeconds: '600' },
      file: {
        serverUrl: 'http://file.example:80',
        stateDir: '/srv/agent/',
        scanIntervalSeconds: 120,
        outboxMaxReports: 7,
      },
    });
    assert.equal(fromFile.serverUrl, 'http://file.example');
    assert.equal(fromFile.stateDir, '/srv/agent');
    assert.equal(fromFile.scanIntervalSeconds, 600, 'the flag wins over the file');
    assert.equal(fromFile.outboxMaxReports, 7);
    assert.equal(AGENT_DEFAULTS.scanIntervalSeconds, 3600);
  });

  it('takes the enrolment token from the flag or the fallback, trimmed', () => {
    assert.equal(
      resolveAgentOptions({ flags: { server: 'http://s', enrollToken: ' apet_1 ' } }).enrollToken,
      'apet_1',
    );
    assert.equal(
      resolveAgentOptions({ flags: { server: 'http://s' }, enrollTokenFallback: 'apet_2\n' }).enrollToken,
      'apet_2',
    );
    assert.throws(
      () => resolveAgentOptions({ flags: { server: 'http://s', enrollToken: 'a b' } }),
      /one word/,
    );
  });

  it('rejects missing or bad values at start', () => {
    assert.throws(() => resolveAgentOptions({ flags: {} }), /--server URL is required/);
    assert.throws(
      () => resolveAgentOptions({ flags: { server: 'http://s', stateDir: 'rel/dir' } }),
      /absolute/,
    );
    for (const bad of ['0', '5', '1.5', 'soon', '-10', '999999999']) {
      assert.throws(
        () => resolveAgentOptions({ flags: { server: 'http://s', scanIntervalSeconds: bad } }),
        /--scan-interval-seconds takes whole seconds/,
      );
    }
    assert.throws(
      () =>
        resolveAgentOptions({
          flags: { server: 'http://s' },
          file: { reconnectBaseSeconds: 10, reconnectCapSeconds: 5 },
        }),
      /reconnectCapSeconds/,
    );
  });
});
