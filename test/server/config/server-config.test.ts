import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONFIG_DEFAULTS, ConfigError, loadServerConfig } from '../../../server/config/server-config.js';

const files = (content: string) => () => content;

test('defaults apply, and the result is frozen', () => {
  const config = loadServerConfig({ env: {}, flags: { dataDir: '/var/lib/afterpatch' } });
  assert.equal(config.port, CONFIG_DEFAULTS.port);
  assert.equal(config.heartbeatIntervalSeconds, 30);
  assert.equal(config.databaseUrl, undefined);
  assert.ok(Object.isFrozen(config));
  assert.throws(() => {
    (config as { port: number }).port = 1;
  }, TypeError);
});

test('precedence: defaults < config file < environment < flags', () => {
  const readFile = files(
    JSON.stringify({ port: 7000, host: '10.0.0.1', dataDir: '/from/file', logLevel: 'warn' }),
  );
  const config = loadServerConfig({
    configFile: '/etc/afterpatch/server.json',
    readFile,
    env: { AFTERPATCH_PORT: '7100', AFTERPATCH_HOST: '10.0.0.2', DATABASE_URL: 'postgres://db/afterpatch' },
    flags: { port: '7200' },
  });
  assert.equal(config.port, 7200);
  assert.equal(config.host, '10.0.0.2');
  assert.equal(config.dataDir, '/from/file');
  assert.equal(config.logLevel, 'warn');
  assert.equal(config.databaseUrl, 'postgres://db/afterpatch');
});

test('the config file can come from AFTERPATCH_CONFIG', () => {
  const config = loadServerConfig({
    env: { AFTERPATCH_CONFIG: '/x.json', AFTERPATCH_DATA_DIR: '/d' },
    readFile: files('{"loginRateLimitMax": 3}'),
  });
  assert.equal(config.loginRateLimitMax, 3);
});

test('numbers and booleans from the environment are parsed strictly', () => {
  const config = loadServerConfig({
    env: {
      AFTERPATCH_DATA_DIR: '/d',
      AFTERPATCH_HEARTBEAT_INTERVAL_SECONDS: '0.5',
      AFTERPATCH_TRUST_PROXY: 'true',
    },
  });
  assert.equal(config.heartbeatIntervalSeconds, 0.5);
  assert.equal(config.trustProxy, true);
  assert.throws(() => loadServerConfig({ env: { AFTERPATCH_DATA_DIR: '/d', AFTERPATCH_PORT: '80x' } }), {
    name: 'ConfigError',
    message: /AFTERPATCH_PORT must be a number/,
  });
  assert.throws(
    () => loadServerConfig({ env: { AFTERPATCH_DATA_DIR: '/d', AFTERPATCH_TRUST_PROXY: 'yes' } }),
    ConfigError,
  );
});

test('invalid values, unknown keys and a missing data directory fail at load with a clear message', () => {
  assert.throws(() => loadServerConfig({ env: {} }), { message: /data directory is required/ });
  assert.throws(() => loadServerConfig({ env: {}, flags: { dataDir: '/d', port: '70000' } }), {
    message: /invalid configuration: port/,
  });
  assert.throws(
    () => loadServerConfig({ env: { AFTERPATCH_DATA_DIR: '/d', AFTERPATCH_JWT_SECRET: 'short' } }),
    {
      message: /jwtSecret/,
    },
  );
  assert.throws(
    () =>
      loadServerConfig({
        env: { AFTERPATCH_DATA_DIR: '/d' },
        configFile: '/c',
        readFile: files('{"prot": 1}'),
      }),
    ConfigError,
  );
  assert.throws(() => loadServerConfig({ env: {}, configFile: '/c', readFile: files('{not json') }), {
    message: /not valid JSON/,
  });
  assert.throws(() => loadServerConfig({ env: {}, configFile: '/c', readFile: files('[1]') }), {
    message: /JSON object/,
  });
  assert.throws(
    () =>
      loadServerConfig({
        env: {},
        configFile: '/missing',
        readFile: () => {
          throw new Error('ENOENT');
        },
      }),
    { message: /cannot read config file \/missing/ },
  );
});
