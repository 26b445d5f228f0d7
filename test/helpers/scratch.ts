// A private temp directory per test, with cleanup that runs even when the test fails: holders
// are killed, mounts undone and files removed in the reverse order they were set up (a mount
// must go before the directory under it, a holder before the mount it uses).
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

export interface Scratch {
  /** The directory's canonical path: the kernel shows canonical paths in /proc/PID/maps. */
  readonly dir: string;
  /** Registers cleanup work; run last-in first-out after the test. */
  defer(fn: () => unknown): void;
}

/** Why integration tests that need root are skipped, or false when they can run. */
export const needsRoot: string | false =
  process.getuid?.() === 0 ? false : 'needs root (mount, nsenter, reading other processes)';

/** Creates a temp dir under `parent` (default os.tmpdir()) removed after test `t`. */
export function createScratch(t: TestContext, parent: string = tmpdir()): Scratch {
  const dir = realpathSync(mkdtempSync(join(parent, 'afterpatch-it-')));
  const cleanups: Array<() => unknown> = [() => rmSync(dir, { recursive: true, force: true })];
  t.after(async () => {
    const errors: unknown[] = [];
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, `cleanup of ${dir} failed`);
  });
  return { dir, defer: (fn) => cleanups.push(fn) };
}
