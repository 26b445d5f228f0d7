// The agent's logger: one JSON object per line on stdout, in pino's shape (`level` as a
// number, `time` in ms, `msg`, bindings of child loggers merged in), so the same log tooling
// reads agent and server logs. pino itself is not a dependency of the agent (see
// docs/agent.md); this covers the part the agent uses. Secrets are redacted by key, at any
// depth, before anything is written: a credential must never reach a log file.
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const LEVEL_NUMBERS: Record<LogLevel, number> = { debug: 20, info: 30, warn: 40, error: 50 };

/** Keys whose values are replaced by "[Redacted]" wherever they appear. */
export const REDACTED_KEYS: ReadonlySet<string> = new Set([
  'credential',
  'token',
  'enrollmentToken',
  'authorization',
  'password',
]);

export interface AgentLogger {
  debug(fields: Record<string, unknown> | string, msg?: string): void;
  info(fields: Record<string, unknown> | string, msg?: string): void;
  warn(fields: Record<string, unknown> | string, msg?: string): void;
  error(fields: Record<string, unknown> | string, msg?: string): void;
  child(bindings: Record<string, unknown>): AgentLogger;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Where lines go; default process.stdout. */
  write?: (line: string) => void;
  bindings?: Record<string, unknown>;
}

export function createAgentLogger(options: LoggerOptions = {}): AgentLogger {
  const threshold = LEVEL_NUMBERS[options.level ?? 'info'];
  const write = options.write ?? writeStdout;
  const bindings = options.bindings ?? {};

  const log = (level: LogLevel) => (fields: Record<string, unknown> | string, msg?: string) => {
    const levelNumber = LEVEL_NUMBERS[level];
    if (levelNumber < threshold) return;
    const own = typeof fields === 'string' ? { msg: fields } : { ...fields, ...(msg ? { msg } : {}) };
    const entry = { level: levelNumber, time: Date.now(), pid: process.pid, ...bindings, ...own };
    write(`${JSON.stringify(redact(entry, 0))}\n`);
  };
  return {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: (more) => createAgentLogger({ ...options, bindings: { ...bindings, ...more } }),
  };
}

/** A copy with secret-named keys redacted and errors turned into { type, message, code }. */
export function redact(value: unknown, depth: number): unknown {
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    const code = (value as NodeJS.ErrnoException).code;
    return { type: value.name, message: value.message, ...(code ? { code } : {}) };
  }
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value as Record<string, unknown>)) {
    out[key] = REDACTED_KEYS.has(key) ? '[Redacted]' : redact(member, depth + 1);
  }
  return out;
}

let stdoutGuarded = false;

function writeStdout(line: string): void {
  if (!stdoutGuarded) {
    // A closed stdout (the reader of a pipe went away) must not crash the agent: logs are lost,
    // reports are not.
    process.stdout.on('error', ignoreStdoutError);
    stdoutGuarded = true;
  }
  process.stdout.write(line);
}

function ignoreStdoutError(): void {}
