// The real `afterpatch server` as a child process (bin/afterpatch.js → dist/bundle), for
// benchmarks and tests that must kill it (SIGKILL) or measure it (/proc/<pid>). Listens on the
// given port (0: any); the URL is read from its "listening" log line.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ServerProcess {
  child: ChildProcess;
  pid: number;
  url: string;
  /** Resolves with the exit code (or signal) once the process is gone. */
  exited: Promise<number | NodeJS.Signals | null>;
}

export interface StartServerProcessOptions {
  bin: string;
  dataDir: string;
  port?: number;
  databaseUrl?: string;
  env?: Record<string, string>;
  /** Prepended to the command, e.g. ['prlimit', '--nofile=65536:65536', '--']. */
  wrapper?: string[];
  nodeArgs?: string[];
  /** Log lines (JSON) go here; default: dropped. */
  onLog?: (line: string) => void;
  startTimeoutMs?: number;
}

export function startServerProcess(options: StartServerProcessOptions): Promise<ServerProcess> {
  const argv = [
    ...(options.nodeArgs ?? []),
    options.bin,
    'server',
    '--port',
    String(options.port ?? 0),
    '--host',
    '127.0.0.1',
    '--data-dir',
    options.dataDir,
  ];
  const [command, ...args] = options.wrapper?.length
    ? [...options.wrapper, process.execPath, ...argv]
    : [process.execPath, ...argv];
  const child = spawn(command!, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      AFTERPATCH_LOG_LEVEL: 'info',
      ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
      ...options.env,
    },
  });
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal)),
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server did not start in time; stderr: ${stderr}`));
    }, options.startTimeoutMs ?? 60_000);
    const lines = createInterface({ input: child.stdout! });
    let started = false;
    lines.on('line', (line) => {
      options.onLog?.(line);
      if (started) return;
      let entry: { msg?: string; url?: string };
      try {
        entry = JSON.parse(line);
      } catch {
        return;
      }
      if (entry.msg === 'afterpatch server listening' && entry.url) {
        started = true;
        clearTimeout(timer);
        // With a prlimit wrapper the node process is the wrapper's exec'd image: same pid.
        resolve({ child, pid: child.pid!, url: entry.url, exited });
      }
    });
    void exited.then((code) => {
      if (started) return;
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}) before listening; stderr: ${stderr}`));
    });
  });
}
