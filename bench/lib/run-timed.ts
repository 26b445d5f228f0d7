// Runs one command (argument array, no shell) and measures its wall time from spawn to exit,
// capturing its output for the verification of what it found. Each command runs in its own
// process group so that an interrupted benchmark can kill it together with the helpers it
// started (needrestart runs a hook script per process).
import { spawn } from 'node:child_process';

export interface TimedRun {
  /** Milliseconds from spawn() to the process's exit, process start-up included. */
  readonly wallMs: number;
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunTimedOptions {
  /** Killed (SIGKILL, whole group) after this long; the run then rejects. */
  readonly timeoutMs: number;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Output kept per stream; the rest is dropped (the timing is unaffected). Default 64 MiB. */
  readonly maxOutputBytes?: number;
}

const DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

/** Process groups of the commands running now, killed by stopRunningCommands(). */
const runningGroups = new Set<number>();

export function runTimed(
  command: string,
  args: readonly string[],
  options: RunTimedOptions,
): Promise<TimedRun> {
  const max = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  return new Promise<TimedRun>((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, [...args], {
      cwd: options.cwd ?? '/',
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const pid = child.pid;
    if (pid !== undefined) runningGroups.add(pid);
    let exitedAt: bigint | undefined;
    const out = collect(child.stdout, max);
    const err = collect(child.stderr, max);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (pid !== undefined) killGroup(pid);
    }, options.timeoutMs);

    child.once('exit', () => {
      exitedAt = process.hrtime.bigint();
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      if (pid !== undefined) runningGroups.delete(pid);
      reject(new Error(`${command}: ${error.message}`));
    });
    // 'close' (all output read) comes after 'exit'; the time is taken at 'exit'.
    child.once('close', (exitCode, signal) => {
      clearTimeout(timer);
      if (pid !== undefined) runningGroups.delete(pid);
      const wallMs = Number((exitedAt ?? process.hrtime.bigint()) - started) / 1e6;
      if (timedOut) {
        reject(new Error(`${command} ${args.join(' ')}: timed out after ${options.timeoutMs} ms`));
        return;
      }
      resolve({ wallMs, exitCode, signal, stdout: out.text(), stderr: err.text() });
    });
  });
}

/** Kills every command runTimed() started that is still running (on Ctrl-C or an error). */
export function stopRunningCommands(): void {
  for (const pid of runningGroups) killGroup(pid);
  runningGroups.clear();
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

function collect(stream: NodeJS.ReadableStream | null, max: number): { text(): string } {
  const chunks: Buffer[] = [];
  let size = 0;
  stream?.on('data', (chunk: Buffer) => {
    if (size >= max) return;
    const keep = chunk.subarray(0, max - size);
    chunks.push(keep);
    size += keep.length;
  });
  return { text: () => Buffer.concat(chunks).toString('utf8') };
}
