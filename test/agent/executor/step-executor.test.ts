// The executor with its real journal on disk and a recording systemctl (a TEST DOUBLE at the
// systemd boundary: a script that appends its argv to a file and exits 0).
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createAgentLogger } from '../../../agent/daemon/agent-logger.js';
import { buildExecutorConfig, type ExecutorConfig } from '../../../agent/executor/executor-config.js';
import { StepExecutor } from '../../../agent/executor/step-executor.js';
import { type JournalEntry, StepJournal } from '../../../agent/executor/step-journal.js';
import type { StepPayload, StepStatusPayload } from '../../../shared/agent-protocol.js';
import { waitFor } from '../../helpers/fake-agent-server.js';
import { createScratch } from '../../helpers/scratch.js';

const logger = createAgentLogger({ level: 'error', write: () => {} });

function recordingSystemctl(dir: string): { path: string; calls: () => string[] } {
  const path = join(dir, 'systemctl');
  const log = join(dir, 'calls.log');
  writeFileSync(
    path,
    `#!${process.execPath}\nrequire('node:fs').appendFileSync(${JSON.stringify(log)}, process.argv.slice(2).join(' ') + '\\n');\n`,
  );
  chmodSync(path, 0o755);
  return {
    path,
    calls: () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : []),
  };
}

function setup(
  t: Parameters<typeof createScratch>[0],
  configOverrides: Parameters<typeof buildExecutorConfig>[0] = {},
) {
  const scratch = createScratch(t);
  const systemctl = recordingSystemctl(scratch.dir);
  const config: ExecutorConfig = buildExecutorConfig({ systemctlPath: systemctl.path, ...configOverrides });
  const journalDir = join(scratch.dir, 'steps');
  const sent: StepStatusPayload[] = [];
  let bootId = 'boot-1';
  let seq = 0;
  const open = () =>
    StepJournal.open({ dir: journalDir, maxEntries: config.journalMaxEntries, maxAgeDays: 30, logger });
  const executor = (journal = open()) =>
    new StepExecutor({
      config,
      journal,
      readBootId: () => bootId,
      kernelRelease: '6.1.0-test',
      send: (status) => sent.push(status),
      postStepScan: async () => ++seq,
      logger,
    });
  return {
    scratch,
    systemctl,
    journalDir,
    sent,
    open,
    executor,
    setBootId: (id: string) => {
      bootId = id;
    },
    states: (stepId: string) => sent.filter((s) => s.stepId === stepId).map((s) => s.state),
  };
}

function step(partial: Partial<StepPayload> = {}): StepPayload {
  return {
    stepId: 'step-1',
    rolloutId: 'r1',
    operations: [{ kind: 'restart-unit', unit: 'app.service' }],
    hooks: false,
    healthChecks: [],
    holdSec: 0,
    timeoutSec: 60,
    ...partial,
  };
}

const finalState = (sent: StepStatusPayload[], stepId: string) =>
  ['succeeded', 'failed', 'refused'].includes(sent.filter((s) => s.stepId === stepId).at(-1)?.state ?? '');

test('a step runs once: the same step again, also after an agent restart, only re-sends the status', async (t) => {
  const env = setup(t);
  const first = env.executor();
  first.handleStep(step());
  first.handleStep(step());
  await waitFor(() => finalState(env.sent, 'step-1'), 30_000, 'final status');
  await first.stop();
  assert.deepEqual(env.systemctl.calls(), ['restart -- app.service']);
  const last = env.sent.at(-1)!;
  assert.equal(last.state, 'succeeded');
  assert.equal(last.evidence?.reportSeq, 1);
  assert.equal(last.evidence?.bootIdBefore, 'boot-1');
  // A new agent process, the same state directory, the server re-sends the step.
  const second = env.executor();
  second.resume();
  second.handleStep(step());
  await second.stop();
  assert.deepEqual(env.systemctl.calls(), ['restart -- app.service']);
  assert.equal(env.sent.at(-1)!.state, 'succeeded');
  const modes = readdirSync(env.journalDir).map((name) => 0o777 & statSync(join(env.journalDir, name)).mode);
  assert.deepEqual(modes, [0o600]);
});

test('hooks run around the operations; a failing pre hook stops the step before any operation', async (t) => {
  const env = setup(t, {
    preHooks: [{ name: 'drain', argv: ['/bin/false'] }],
    postHooks: [{ name: 'undrain', argv: ['/bin/true'] }],
  });
  const executor = env.executor();
  executor.handleStep(step({ hooks: true }));
  await waitFor(() => finalState(env.sent, 'step-1'), 30_000, 'final status');
  await executor.stop();
  const last = env.sent.at(-1)!;
  assert.equal(last.state, 'failed');
  assert.match(last.message, /^hook pre drain failed/);
  assert.deepEqual(env.systemctl.calls(), []);
});

test('a crash mid-step: half-written journal files are discarded and the step fails, never re-runs', async (t) => {
  const env = setup(t);
  const journal = env.open();
  const entry: JournalEntry = {
    stepId: 'step-1',
    step: step(),
    state: 'running',
    message: 'running',
    at: new Date().toISOString(),
    receivedAt: new Date().toISOString(),
    deadlineMs: Date.now() + 60_000,
    bootIdBefore: 'boot-1',
    evidence: {},
  };
  journal.put(entry);
  // The agent died while writing the next state: only the temp file exists.
  writeFileSync(join(env.journalDir, '.tmp-step-whatever.json.123'), '{"stepId":"step-1","state":"succ');
  const executor = env.executor();
  executor.resume();
  executor.handleStep(step());
  await executor.stop();
  assert.deepEqual(env.systemctl.calls(), []);
  assert.equal(env.sent.at(-1)!.state, 'failed');
  assert.match(env.sent.at(-1)!.message, /stopped while the step was running; not repeated/);
  assert.ok(!readdirSync(env.journalDir).some((n) => n.startsWith('.tmp-')));
});

test('reboot: journalled as rebooting before systemctl reboot; a new boot id verifies and succeeds', async (t) => {
  const env = setup(t);
  const before = env.executor();
  before.handleStep(step({ operations: [{ kind: 'restart-unit', unit: 'a.service' }, { kind: 'reboot' }] }));
  await waitFor(
    () => env.states('step-1').includes('rebooting') && env.systemctl.calls().length > 0,
    30_000,
    'reboot',
  );
  await before.stop();
  assert.deepEqual(env.systemctl.calls(), ['reboot'], 'the restart is covered by the reboot');
  // The next boot.
  env.setBootId('boot-2');
  const after = env.executor();
  after.resume();
  await waitFor(() => finalState(env.sent, 'step-1'), 30_000, 'final status');
  await after.stop();
  const last = env.sent.at(-1)!;
  assert.equal(last.state, 'succeeded', last.message);
  assert.equal(last.evidence?.bootIdBefore, 'boot-1');
  assert.equal(last.evidence?.bootIdAfter, 'boot-2');
  assert.equal(last.evidence?.kernelRelease, '6.1.0-test');
  assert.equal(last.evidence?.reportSeq, 1);
  assert.deepEqual(env.systemctl.calls(), ['reboot']);
});

test('reboot: the same boot id after the timeout means the host did not reboot', async (t) => {
  const env = setup(t);
  const journal = env.open();
  journal.put({
    stepId: 'step-1',
    step: step({ operations: [{ kind: 'reboot' }] }),
    state: 'rebooting',
    message: 'systemctl reboot issued',
    at: new Date().toISOString(),
    receivedAt: new Date().toISOString(),
    deadlineMs: Date.now() + 300,
    bootIdBefore: 'boot-1',
    evidence: { bootIdBefore: 'boot-1' },
  });
  const executor = env.executor(journal);
  executor.resume();
  assert.equal(env.sent.at(-1)!.state, 'rebooting', 'the status is re-sent while waiting');
  await waitFor(() => finalState(env.sent, 'step-1'), 30_000, 'final status');
  await executor.stop();
  assert.equal(env.sent.at(-1)!.state, 'failed');
  assert.match(env.sent.at(-1)!.message, /the host did not reboot/);
});

test('the journal is bounded: the oldest settled entries go, unsettled ones stay', async (t) => {
  const env = setup(t);
  const journal = StepJournal.open({ dir: env.journalDir, maxEntries: 10, maxAgeDays: 1, logger });
  const at = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();
  const put = (id: string, state: JournalEntry['state'], msAgo: number) =>
    journal.put({
      stepId: id,
      step: step({ stepId: id }),
      state,
      message: state,
      at: at(msAgo),
      receivedAt: at(msAgo),
      deadlineMs: Date.now(),
      evidence: {},
    });
  put('too-old', 'succeeded', 2 * 86_400_000);
  put('old-but-running', 'running', 3 * 86_400_000);
  for (let i = 0; i < 12; i++) put(`s${String(i).padStart(2, '0')}`, 'failed', 60_000 - i * 1000);
  assert.equal(journal.size, 10);
  assert.equal(journal.get('too-old'), undefined);
  assert.ok(journal.get('old-but-running'));
  assert.equal(journal.get('s00'), undefined);
  assert.ok(journal.get('s11'));
  assert.equal(readdirSync(env.journalDir).length, 10);
});

test('refused steps are journalled too: a repeat does not re-evaluate a changed policy', async (t) => {
  const env = setup(t, { allowReboot: false });
  const executor = env.executor();
  executor.handleStep(step({ operations: [{ kind: 'reboot' }] }));
  executor.handleStep(step({ operations: [{ kind: 'reboot' }] }));
  await executor.stop();
  assert.deepEqual(env.states('step-1'), ['refused', 'refused']);
  assert.deepEqual(env.systemctl.calls(), []);
});
