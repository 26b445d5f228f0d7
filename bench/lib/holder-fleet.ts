// Hundreds of holder processes (test/native/holder.c) that all map the same libstale.so, so that
// replacing that one library makes every one of them stale at once: the "big host after a
// glibc update" case. Started a batch at a time: spawning them all at once only makes the
// start slower and the READY timeouts flaky on a small machine.
//
// Who the holders' parent is changes what needrestart does: it folds a stale process whose
// parent is not PID 1 into that parent and checks the parent once, so 500 children of the
// benchmark cost it one package lookup, while 500 daemons (children of PID 1, like services
// on a real host) cost it 500. 'init' (the default) detaches each holder with `setsid -f`, so
// that it is re-parented to PID 1; 'bench' leaves them children of the benchmark.
import { existsSync, renameSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Holder, type NativeBuild, startNativeHolder } from '../../test/helpers/native.js';

export type HolderParent = 'init' | 'bench';

export interface HolderFleet {
  /** The holders' own PIDs (for 'init', not those of the setsid that started them). */
  readonly pids: ReadonlySet<number>;
  /** Kills every holder and waits for them to exit. Safe to call twice. */
  stopAll(): Promise<void>;
}

export interface HolderFleetOptions {
  readonly parent: HolderParent;
  readonly batchSize?: number;
}

const DEFAULT_BATCH = 25;
const READY_TIMEOUT_MS = 30_000;
/** How long stopAll() waits for PID 1 to reap the detached holders it killed. */
const REAP_WAIT_MS = 10_000;
const SETSID = '/usr/bin/setsid';

export async function startHolderFleet(
  build: NativeBuild,
  count: number,
  options: HolderFleetOptions,
): Promise<HolderFleet> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  const detached = options.parent === 'init';
  if (detached && !existsSync(SETSID))
    throw new Error(`${SETSID} (util-linux) is needed for --holder-parent init`);
  const holders: Holder[] = [];
  // Detached holders are not our children: the test helper's exit hook cannot kill them.
  const detachedPids = new Set<number>();
  const killDetached = () => {
    for (const pid of detachedPids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  };
  process.once('exit', killDetached);
  let stopping: Promise<void> | undefined;
  const stopAll = () =>
    (stopping ??= (async () => {
      killDetached();
      await Promise.all(holders.map((h) => h.stop()));
      await waitGone(detachedPids);
      process.off('exit', killDetached);
    })());

  try {
    for (let started = 0; started < count; started += batchSize) {
      const batch = Math.min(batchSize, count - started);
      const results = await Promise.allSettled(
        Array.from({ length: batch }, () =>
          startNativeHolder(build, {
            readyTimeoutMs: READY_TIMEOUT_MS,
            ...(detached ? { wrapper: [SETSID, '-f'] } : {}),
          }),
        ),
      );
      for (const r of results) {
        if (r.status !== 'fulfilled') continue;
        holders.push(r.value);
        if (detached) detachedPids.add(readyPid(r.value));
      }
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
    }
  } catch (err) {
    await stopAll();
    throw err;
  }
  const pids = detached ? new Set(detachedPids) : new Set(holders.map((h) => h.pid));
  return { pids, stopAll };
}

/** The holder prints its own PID: "READY pid=123 libstale=…". */
function readyPid(holder: Holder): number {
  const pid = Number(/\bpid=(\d+)\b/.exec(holder.readyLine)?.[1]);
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no pid in the READY line '${holder.readyLine}'`);
  return pid;
}

async function waitGone(pids: ReadonlySet<number>): Promise<void> {
  const deadline = Date.now() + REAP_WAIT_MS;
  while (Date.now() < deadline && [...pids].some((pid) => existsSync(`/proc/${pid}`))) await sleep(50);
}

/**
 * Upgrades libstale.so the way a package manager does: the new version is renamed over the
 * old name, so every holder keeps mapping the old inode, now shown as "(deleted)".
 */
export function replaceLibraryByRename(build: NativeBuild): void {
  renameSync(build.libStaleV2, build.libStaleV1);
}
