// Native test programs (test/native/*.c) compiled at test time, and long-running "holder"
// processes that keep files mapped while a test changes those files underneath them. The
// integration tests use them to create real stale-code situations; the benchmark uses
// startHolder() to start hundreds of holders, so it must stay cheap per process: after READY
// the holder's pipes are closed and nothing is buffered.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './paths.js';

const execFileAsync = promisify(execFile);

/** Where the C sources live (they are committed; only the binaries are built). */
export const nativeSourceDir = join(repoRoot, 'test', 'native');

export interface NativeBuild {
  readonly dir: string;
  /** The holder program (see test/native/holder.c for its actions). Its RUNPATH is `dir`. */
  readonly holder: string;
  /** libstale.so version 1, at `dir/libstale.so`: what a holder maps unless told otherwise. */
  readonly libStaleV1: string;
  /** libstale.so version 2 (different bytes, same size class), to "upgrade" to. */
  readonly libStaleV2: string;
  readonly pluginV1: string;
  readonly pluginV2: string;
}

/**
 * Build outputs are dated this far in the past so that no time rule ("file newer than the
 * process") can fire on a file the test did not mean to change, however fast holders start.
 */
export const PAST_MTIME_MS = 60 * 60 * 1000;

const builds = new Map<string, Promise<NativeBuild>>();
let defaultDir: string | undefined;

/**
 * Compiles the native programs into `outDir` (a fresh temp dir, removed at process exit, when
 * omitted). Cached per test process: every call with the same directory shares one build.
 */
export function buildNative(outDir?: string): Promise<NativeBuild> {
  const dir = outDir ?? getDefaultDir();
  let build = builds.get(dir);
  if (build === undefined) {
    build = compileAll(dir);
    builds.set(dir, build);
    // A failed build is not cached: the next caller gets the real error again, not a stale one.
    build.catch(() => builds.delete(dir));
  }
  return build;
}

function getDefaultDir(): string {
  if (defaultDir === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'afterpatch-native-'));
    defaultDir = dir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return defaultDir;
}

async function compileAll(dir: string): Promise<NativeBuild> {
  await mkdir(dir, { recursive: true });
  const src = (name: string) => join(nativeSourceDir, name);
  const build: NativeBuild = {
    dir,
    holder: join(dir, 'holder'),
    libStaleV1: join(dir, 'libstale.so'),
    libStaleV2: join(dir, 'libstale-v2.so'),
    pluginV1: join(dir, 'plugin.so'),
    pluginV2: join(dir, 'plugin-v2.so'),
  };
  const shared = (out: string, source: string, define: string) =>
    gcc(['-fPIC', '-shared', '-Wl,-soname,libstale.so', define, '-o', out, src(source)]);
  await Promise.all([
    shared(build.libStaleV1, 'libstale.c', '-DSTALE_VERSION="v1"'),
    shared(build.libStaleV2, 'libstale.c', '-DSTALE_VERSION="v2"'),
    gcc(['-fPIC', '-shared', '-DPLUGIN_VERSION="v1"', '-o', build.pluginV1, src('plugin.c')]),
    gcc(['-fPIC', '-shared', '-DPLUGIN_VERSION="v2"', '-o', build.pluginV2, src('plugin.c')]),
  ]);
  // RUNPATH (not RPATH) so that LD_LIBRARY_PATH can point a holder at a test's own copy.
  await gcc([
    '-o',
    build.holder,
    src('holder.c'),
    `-L${dir}`,
    '-lstale',
    '-ldl',
    `-Wl,--enable-new-dtags,-rpath,${dir}`,
  ]);
  const past = new Date(Date.now() - PAST_MTIME_MS);
  for (const file of [build.holder, build.libStaleV1, build.libStaleV2, build.pluginV1, build.pluginV2]) {
    utimesSync(file, past, past);
  }
  return build;
}

async function gcc(args: string[]): Promise<void> {
  try {
    await execFileAsync('gcc', ['-O2', '-Wall', '-Wextra', '-Werror', ...args], { timeout: 60_000 });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    throw new Error(`gcc ${args.join(' ')} failed: ${e.stderr?.trim() || e.message}`);
  }
}

export interface HolderOptions {
  command: string;
  args?: readonly string[];
  /** The whole environment of the holder (not merged with the test's). Default: PATH only. */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** How long to wait for the READY line. Default 10 s. */
  readyTimeoutMs?: number;
}

export interface Holder {
  readonly pid: number;
  /** The READY line as printed, without the newline. */
  readonly readyLine: string;
  /** Kills the holder (SIGKILL) and resolves once it has exited. Safe to call twice. */
  stop(): Promise<void>;
}

const READY_PREFIX = 'READY';
const MAX_CAPTURE_BYTES = 8192;

/** Every holder not yet stopped, killed when the test process exits however it exits. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Spawns a process and resolves once it printed a line starting with READY on stdout. Rejects
 * with the command, exit status and stderr when it exits first or the timeout passes.
 */
export function startHolder(opts: HolderOptions): Promise<Holder> {
  const child = spawn(opts.command, opts.args ?? [], {
    cwd: opts.cwd,
    env: opts.env ?? { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const exited = new Promise<void>((resolve) => {
    const done = () => {
      running.delete(child);
      resolve();
    };
    child.once('exit', done);
    // A spawn failure (ENOENT) emits 'error' and never 'exit'.
    child.once('error', done);
  });
  const describe = () => [opts.command, ...(opts.args ?? [])].join(' ');
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };

  return new Promise<Holder>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    let settled = false;
    const timer = setTimeout(() => {
      fail(`no READY line within ${opts.readyTimeoutMs ?? 10_000} ms`);
    }, opts.readyTimeoutMs ?? 10_000);

    function settle(): void {
      settled = true;
      clearTimeout(timer);
      child.stdout?.removeAllListeners('data');
      child.stderr?.removeAllListeners('data');
      // Closing our ends keeps 500 idle holders from costing 1000 open pipes in the test.
      child.stdout?.destroy();
      child.stderr?.destroy();
    }
    function fail(why: string): void {
      if (settled) return;
      settle();
      const status = child.exitCode ?? child.signalCode ?? 'still running';
      stop().then(
        () => reject(new Error(`holder ${describe()}: ${why} (exit: ${status}); stderr: ${stderr.trim()}`)),
        reject,
      );
    }

    child.once('error', (err) => fail(`spawn failed: ${err.message}`));
    // 'close', not 'exit': stdout may still hold the READY line when the process has exited.
    child.once('close', () => fail('exited before READY'));
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      if (stderr.length < MAX_CAPTURE_BYTES) stderr += chunk;
    });
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      if (settled) return;
      stdout += chunk;
      const line = stdout.split('\n').find((l, i, all) => i < all.length - 1 && l.startsWith(READY_PREFIX));
      if (line !== undefined && child.pid !== undefined) {
        settle();
        resolve({ pid: child.pid, readyLine: line, stop });
      } else if (stdout.length > MAX_CAPTURE_BYTES) {
        fail(`no READY line in the first ${MAX_CAPTURE_BYTES} bytes of stdout`);
      }
    });
  });
}

export interface NativeHolderOptions {
  /** Actions for test/native/holder.c, e.g. `dlopen=/path/plugin.so`. */
  actions?: readonly string[];
  /** Directory searched first for libstale.so (LD_LIBRARY_PATH); default the build's. */
  libDir?: string;
  /** Run this copy of the holder program instead of the build's (to replace it). */
  executable?: string;
  /** Run through a wrapper that execs the holder, e.g. ['unshare', '-m', '--']. */
  wrapper?: readonly string[];
  readyTimeoutMs?: number;
}

/** Starts test/native/holder with the given actions. */
export function startNativeHolder(build: NativeBuild, opts: NativeHolderOptions = {}): Promise<Holder> {
  const argv = [...(opts.wrapper ?? []), opts.executable ?? build.holder, ...(opts.actions ?? [])];
  const [command, ...args] = argv as [string, ...string[]];
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
  if (opts.libDir !== undefined) env.LD_LIBRARY_PATH = opts.libDir;
  return startHolder({ command, args, env, readyTimeoutMs: opts.readyTimeoutMs });
}
