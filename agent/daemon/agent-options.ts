// The agent daemon's configuration: one validated, frozen object built from defaults, the
// config file's `agent` section and the command line (flags win), with the unit in every name.
// Pure: the command reads files and the environment and hands their text in here.
import type { AgentDaemonConfigFile } from '../config/config-schema.js';
import type { LogLevel } from './agent-logger.js';

export interface AgentOptions {
  /** The server's base URL (http or https), without a trailing slash. */
  readonly serverUrl: string;
  /** The agent WebSocket endpoint derived from serverUrl. */
  readonly wsUrl: string;
  /** Only needed until the first enrolment has succeeded. */
  readonly enrollToken: string | undefined;
  /** Holds credentials.json and the outbox; mode 0700. */
  readonly stateDir: string;
  /** Time between two scheduled scans (measured from the end of the previous scan). */
  readonly scanIntervalSeconds: number;
  /** Quiet time after a package database changes before the scan runs (one upgrade = one scan). */
  readonly packageChangeDebounceSeconds: number;
  /** mtime polling period when the package databases cannot be watched. */
  readonly packagePollSeconds: number;
  readonly outboxMaxReports: number;
  readonly outboxMaxBytes: number;
  /** Reconnect backoff: full jitter between 0 and min(cap, base * 2^attempt). */
  readonly reconnectBaseSeconds: number;
  readonly reconnectCapSeconds: number;
  /** A connection that stayed up this long resets the backoff. */
  readonly stableConnectionSeconds: number;
  /** The server pings every 30 s; this long without a ping means it is gone. */
  readonly heartbeatTimeoutSeconds: number;
  /** Timeout of one REST call (enrolment, token). */
  readonly requestTimeoutSeconds: number;
  /** With --once: how long to wait for the server to acknowledge everything. */
  readonly onceDeliverySeconds: number;
  readonly once: boolean;
  readonly logLevel: LogLevel;
  /** Where the boot id is read; other than the kernel's only in containers and test harnesses. */
  readonly bootIdFile: string;
}

export const DEFAULT_STATE_DIR = '/var/lib/afterpatch-agent';
export const AGENT_WS_PATH = '/api/v1/agent/ws';

export const AGENT_DEFAULTS = Object.freeze({
  stateDir: DEFAULT_STATE_DIR,
  scanIntervalSeconds: 3600,
  packageChangeDebounceSeconds: 5,
  packagePollSeconds: 30,
  outboxMaxReports: 100,
  outboxMaxBytes: 50 * 1024 * 1024,
  reconnectBaseSeconds: 1,
  reconnectCapSeconds: 300,
  stableConnectionSeconds: 60,
  heartbeatTimeoutSeconds: 75,
  requestTimeoutSeconds: 30,
  onceDeliverySeconds: 60,
  logLevel: 'info' as LogLevel,
  bootIdFile: '/proc/sys/kernel/random/boot_id',
});

/** What the command line gave (strings as typed; undefined when absent). */
export interface AgentFlags {
  server?: string | undefined;
  enrollToken?: string | undefined;
  stateDir?: string | undefined;
  scanIntervalSeconds?: string | undefined;
  once?: boolean | undefined;
}

export class AgentOptionsError extends Error {
  override readonly name = 'AgentOptionsError';
}

export interface ResolveAgentOptionsInput {
  flags: AgentFlags;
  file?: AgentDaemonConfigFile | undefined;
  /** The enrolment token from the environment or a token file, when the flag is absent. */
  enrollTokenFallback?: string | undefined;
}

export function resolveAgentOptions(input: ResolveAgentOptionsInput): AgentOptions {
  const { flags } = input;
  const file = input.file ?? {};
  const rawServer = flags.server ?? file.serverUrl;
  if (rawServer === undefined) throw new AgentOptionsError('--server URL is required (or agent.serverUrl)');
  const serverUrl = normaliseServerUrl(rawServer);
  const stateDir = flags.stateDir ?? file.stateDir ?? AGENT_DEFAULTS.stateDir;
  if (!stateDir.startsWith('/'))
    throw new AgentOptionsError(`--state-dir must be absolute, not '${stateDir}'`);
  const scanIntervalSeconds =
    flags.scanIntervalSeconds !== undefined
      ? parseSeconds('--scan-interval-seconds', flags.scanIntervalSeconds, 10, 7 * 24 * 3600)
      : (file.scanIntervalSeconds ?? AGENT_DEFAULTS.scanIntervalSeconds);
  const enrollToken = (flags.enrollToken ?? input.enrollTokenFallback)?.trim() || undefined;
  if (enrollToken !== undefined && (enrollToken.length > 4096 || /\s/.test(enrollToken))) {
    throw new AgentOptionsError('the enrolment token must be one word of at most 4096 characters');
  }
  const reconnectBaseSeconds = file.reconnectBaseSeconds ?? AGENT_DEFAULTS.reconnectBaseSeconds;
  const reconnectCapSeconds = file.reconnectCapSeconds ?? AGENT_DEFAULTS.reconnectCapSeconds;
  if (reconnectCapSeconds < reconnectBaseSeconds) {
    throw new AgentOptionsError('agent.reconnectCapSeconds must not be below agent.reconnectBaseSeconds');
  }
  return Object.freeze({
    ...AGENT_DEFAULTS,
    serverUrl,
    wsUrl: deriveWsUrl(serverUrl),
    enrollToken,
    stateDir: stateDir.replace(/(.)\/+$/, '$1'),
    scanIntervalSeconds,
    packageChangeDebounceSeconds:
      file.packageChangeDebounceSeconds ?? AGENT_DEFAULTS.packageChangeDebounceSeconds,
    outboxMaxReports: file.outboxMaxReports ?? AGENT_DEFAULTS.outboxMaxReports,
    outboxMaxBytes: file.outboxMaxBytes ?? AGENT_DEFAULTS.outboxMaxBytes,
    reconnectBaseSeconds,
    reconnectCapSeconds,
    once: flags.once === true,
    logLevel: file.logLevel ?? AGENT_DEFAULTS.logLevel,
    bootIdFile: file.bootIdFile ?? AGENT_DEFAULTS.bootIdFile,
  });
}

/** http(s)://host[:port][/base] without query, fragment, user info or trailing slash. */
export function normaliseServerUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new AgentOptionsError(`--server must be a URL like https://afterpatch.example:8443, not '${text}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AgentOptionsError(`--server must use http or https, not '${url.protocol.replace(':', '')}'`);
  }
  if (url.username || url.password)
    throw new AgentOptionsError('--server must not contain a user or password');
  if (url.search || url.hash) throw new AgentOptionsError('--server must not contain a query or fragment');
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** The WebSocket URL for a server URL: same host and base path, ws for http, wss for https. */
export function deriveWsUrl(serverUrl: string): string {
  const url = new URL(serverUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${AGENT_WS_PATH}`;
  return url.toString();
}

function parseSeconds(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new AgentOptionsError(`${flag} takes whole seconds between ${min} and ${max}, not '${text}'`);
  }
  return value;
}
