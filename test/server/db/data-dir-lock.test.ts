import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  acquireDataDirLock,
  isAlive,
  type LockHolder,
  linuxProbe,
  type ProcessProbe,
  parseLockHolder,
  parseStartTime,
} from '../../../server/db/data-dir-lock.js';
import { isDbError } from '../../../server/db/errors.js';
import { createScratch } from '../../helpers/scratch.js';

/** Starts a process and waits for it to exit: its pid then names no process (for a while). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  assert.ok(child.pid);
  return child.pid;
}

function writeLock(path: string, holder: Partial<LockHolder>): void {
  const full = {
    hostname: hostname(),
    token: 'feedfacecafebeef',
    acquiredAt: new Date().toISOString(),
    ...holder,
  };
  writeFileSync(path, `${JSON.stringify(full)}\n`);
}

describe('data directory lock', () => {
  test('the lock file names this process; release removes it', (t) => {
    const { dir } = createScratch(t);
    const path = join(dir, 'db.lock');
    const lock = acquireDataDirLock(path);
    const holder = parseLockHolder(readFileSync(path, 'utf8'));
    assert.equal(holder?.pid, process.pid);
    assert.equal(holder?.token, lock.holder.token);
    lock.release();
    lock.release();
    assert.equal(existsSync(path), false);
    assert.deepEqual(readdirSync(dir), [], 'no temporary files left behind');
  });

  test('a second acquirer fails with DB_LOCKED naming the holder pid, also within one process', (t) => {
    const { dir } = createScratch(t);
    const path = join(dir, 'db.lock');
    const first = acquireDataDirLock(path);
    t.after(() => first.release());
    assert.throws(
      () => acquireDataDirLock(path),
      (err) =>
        isDbError(err, 'DB_LOCKED') &&
        err.details.pid === process.pid &&
        err.message.includes(`process ${process.pid}`) &&
        err.message.includes(path),
    );
  });

  test('a lock left by a process that has exited is taken over', async (t) => {
    const { dir } = createScratch(t);
    const path = join(dir, 'db.lock');
    const pid = await deadPid();
    writeLock(path, { pid, bootId: linuxProbe.bootId() });
    const lock = acquireDataDirLock(path);
    t.after(() => lock.release());
    assert.equal(parseLockHolder(readFileSync(path, 'utf8'))?.pid, process.pid);
    assert.equal(lock.staleHolder?.pid, pid, 'says whose lock it took over');
  });

  test('a lock whose pid now belongs to a process started later is taken over', (t) => {
    const { dir } = createScratch(t);
    const path = join(dir, 'db.lock');
    // Our own pid, but a start time that is not ours: the pid was reused.
    writeLock(path, { pid: process.pid, startTime: '1', bootId: linuxProbe.bootId() });
    const lock = acquireDataDirLock(path);
    t.after(() => lock.release());
    assert.equal(parseLockHolder(readFileSync(path, 'utf8'))?.token, lock.holder.token);
  });

  test('a lock taken before the last reboot is taken over', (t) => {
    const { dir } = createScratch(t);
    const path = join(dir, 'db.lock');
    writeLock(path, { pid: process.pid, bootId: '00000000-0000-0000-0000-000000000000' });
    acquireDataDirLock(path).release();
  });

  test('an unreadable lock file is taken over', (t) => {
    const { dir } = createScratch(t);
    const path = join(dir, 'db.lock');
    writeFileSync(path, 'not json');
    acquireDataDirLock(path).release();
  });

  test('a lock held on another host is respected', (t) => {
    const { dir } = createScratch(t);
    const path = join(dir, 'db.lock');
    writeLock(path, { pid: 1234, hostname: 'elsewhere.example' });
    assert.throws(
      () => acquireDataDirLock(path),
      (err) => isDbError(err, 'DB_LOCKED') && err.message.includes('on host elsewhere.example'),
    );
  });

  test('release leaves alone a lock that another process has taken over since', (t) => {
    const { dir } = createScratch(t);
    const path = join(dir, 'db.lock');
    const lock = acquireDataDirLock(path);
    writeLock(path, { pid: process.pid, token: 'someone-else' });
    lock.release();
    assert.equal(parseLockHolder(readFileSync(path, 'utf8'))?.token, 'someone-else');
  });
});

describe('lock holder liveness', () => {
  const probe = (facts: Partial<ProcessProbe>): ProcessProbe => ({
    hostname: () => 'here',
    bootId: () => 'boot-1',
    startTime: () => '500',
    exists: () => true,
    ...facts,
  });
  const holder: LockHolder = {
    pid: 42,
    hostname: 'here',
    bootId: 'boot-1',
    startTime: '500',
    token: 't',
    acquiredAt: '2026-01-01T00:00:00.000Z',
  };

  test('alive when the same process still runs', () => {
    assert.equal(isAlive(holder, probe({})), true);
  });
  test('dead when the pid does not exist', () => {
    assert.equal(isAlive(holder, probe({ exists: () => false })), false);
  });
  test('dead when the pid started at another time', () => {
    assert.equal(isAlive(holder, probe({ startTime: () => '900' })), false);
  });
  test('dead after a reboot', () => {
    assert.equal(isAlive(holder, probe({ bootId: () => 'boot-2' })), false);
  });
  test('alive when the start time cannot be read (not Linux)', () => {
    assert.equal(isAlive(holder, probe({ startTime: () => undefined })), true);
  });
  test('assumed alive on another host', () => {
    assert.equal(isAlive({ ...holder, hostname: 'other' }, probe({ exists: () => false })), true);
  });
});

describe('parseStartTime', () => {
  test('reads field 22 even when the command name holds spaces and parentheses', () => {
    const stat =
      '4242 (my (odd) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10 18446744073709551615';
    assert.equal(parseStartTime(stat), '987654');
  });
  test('undefined for a truncated line', () => {
    assert.equal(parseStartTime('1 (init) S 0'), undefined);
  });
  test('matches this process on Linux', { skip: process.platform !== 'linux' && 'Linux only' }, () => {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    assert.match(parseStartTime(stat) ?? '', /^\d+$/);
  });
});
