// Runs one host command (an operation, a hook, a command health check) with execFile: an argv
// array, no shell, a hard time limit (SIGKILL: a hook stuck in a drain must not hold the step
// forever) and the tail of its output kept as evidence. Never throws: every end is an outcome.
import { execFile } from 'node:child_process';

export interface CommandOutcome {
  what: string;
  ok: boolean;
  exitCode?: number;
  /** The tail of stdout+stderr, or the reason it did not run or was stopped. */
  detail: string;
}

/** Evidence fields are limited to 4096 characters by the protocol; keep the end, it says why. */
export const DETAIL_MAX_CHARS = 4000;

export interface RunCommandOptions {
  file: string;
  args: readonly string[];
  what: string;
  timeoutMs: number;
}

export function runCommand(options: RunCommandOptions): Promise<CommandOutcome> {
  const { file, args, what, timeoutMs } = options;
  return new Promise((resolve) => {
    execFile(
      file,
      [...args],
      {
        timeout: Math.max(1, Math.floor(timeoutMs)),
        killSignal: 'SIGKILL',
        maxBuffer: 1024 * 1024,
        encoding: 'utf8',
        windowsHide: true,
      },
      (err, stdout, stderr) => {
        const output = tail(`${stdout}${stderr}`.trim());
        if (!err) {
          resolve({ what, ok: true, exitCode: 0, detail: output });
          return;
        }
        const e = err as NodeJS.ErrnoException & { killed?: boolean; signal?: string | null; code?: unknown };
        if (e.killed && e.signal === 'SIGKILL') {
          resolve({
            what,
            ok: false,
            detail: tail(`timed out after ${timeoutMs} ms and was killed. ${output}`),
          });
          return;
        }
        if (typeof e.code === 'number') {
          resolve({ what, ok: false, exitCode: e.code, detail: output || `exit code ${e.code}` });
          return;
        }
        if (e.signal) {
          resolve({ what, ok: false, detail: tail(`killed by ${e.signal}. ${output}`) });
          return;
        }
        // ENOENT, EACCES, maxBuffer: the command did not run (or not to its end).
        resolve({ what, ok: false, detail: tail(`cannot run ${file}: ${e.code ?? ''} ${e.message}`.trim()) });
      },
    );
  });
}

export function tail(text: string, max = DETAIL_MAX_CHARS): string {
  return text.length <= max ? text : `…${text.slice(text.length - max + 1)}`;
}
