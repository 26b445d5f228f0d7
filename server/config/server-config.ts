// The server's configuration: one object, validated once at start and frozen. Sources, later ones
// winning: defaults < config file (JSON, --config or AFTERPATCH_CONFIG) < environment < flags.
// Units are in the names. Secrets (jwtSecret, adminPassword) come from the environment or the
// file, never from flags (a flag shows in `ps`).
import { readFileSync } from 'node:fs';
import Type, { type Static } from 'typebox';
import { Compile } from 'typebox/compile';

export const ServerConfigSchema = Type.Object(
  {
    /** TCP port to listen on (0: any free port). */
    port: Type.Integer({ minimum: 0, maximum: 65535 }),
    /** Address to listen on. */
    host: Type.String({ minLength: 1, maxLength: 255 }),
    /** The server's data directory: PGlite's files, the lock, the initial admin password file. */
    dataDir: Type.String({ minLength: 1, maxLength: 4096 }),
    /** postgres:// URL; when absent, PGlite in dataDir. */
    databaseUrl: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
    /** PostgreSQL only: connections in the pool. */
    dbPoolSize: Type.Integer({ minimum: 1, maximum: 500 }),
    /**
     * How often the server vacuums and analyzes the host tables when the database does not
     * (PGlite; PostgreSQL with autovacuum off); 0 turns it off.
     */
    dbMaintenanceIntervalSeconds: Type.Integer({ minimum: 0, maximum: 24 * 3600 }),
    logLevel: Type.Union([
      Type.Literal('fatal'),
      Type.Literal('error'),
      Type.Literal('warn'),
      Type.Literal('info'),
      Type.Literal('debug'),
      Type.Literal('trace'),
      Type.Literal('silent'),
    ]),
    /** HS256 secret for user and agent JWTs; when absent, one is generated and kept in the database. */
    jwtSecret: Type.Optional(Type.String({ minLength: 32, maxLength: 4096 })),
    /** The first admin's password; when absent, one is generated into <dataDir>/initial-admin-password. */
    adminPassword: Type.Optional(Type.String({ minLength: 12, maxLength: 1024 })),
    /** Lifetime of a login JWT. */
    userTokenTtlSeconds: Type.Integer({ minimum: 60, maximum: 7 * 24 * 3600 }),
    /** Lifetime of an agent JWT (the contract says 15 minutes). */
    agentTokenTtlSeconds: Type.Integer({ minimum: 60, maximum: 24 * 3600 }),
    /** Login attempts allowed per client IP and username within the window. */
    loginRateLimitMax: Type.Integer({ minimum: 1, maximum: 10_000 }),
    loginRateLimitWindowSeconds: Type.Integer({ minimum: 1, maximum: 24 * 3600 }),
    /** Interval of WebSocket pings; a peer that misses two pongs is terminated. */
    heartbeatIntervalSeconds: Type.Number({ minimum: 0.05, maximum: 3600 }),
    /**
     * How often this server instance writes its heartbeat row (server_instances). An instance
     * silent for 3 intervals is taken for crashed: its hosts are marked offline by the others.
     */
    instanceHeartbeatSeconds: Type.Number({ minimum: 0.05, maximum: 3600 }),
    /** Largest REST request body. */
    bodyLimitBytes: Type.Integer({ minimum: 1024, maximum: 64 * 1024 * 1024 }),
    /** Trust X-Forwarded-For from a reverse proxy (the login rate limit keys on the client IP). */
    trustProxy: Type.Boolean(),
    /** An approved rollout not started within this long needs approving again. */
    rolloutApprovalTtlSeconds: Type.Integer({ minimum: 60, maximum: 30 * 24 * 3600 }),
    /** The rollout executor's periodic tick (timeouts, windows, approvals); events act at once. */
    rolloutTickMs: Type.Integer({ minimum: 50, maximum: 60_000 }),
  },
  { additionalProperties: false },
);
export type ServerConfig = Readonly<Static<typeof ServerConfigSchema>>;

export const CONFIG_DEFAULTS = Object.freeze({
  port: 8080,
  host: '0.0.0.0',
  dbPoolSize: 10,
  dbMaintenanceIntervalSeconds: 60,
  logLevel: 'info' as const,
  userTokenTtlSeconds: 3600,
  agentTokenTtlSeconds: 900,
  loginRateLimitMax: 10,
  loginRateLimitWindowSeconds: 300,
  heartbeatIntervalSeconds: 30,
  instanceHeartbeatSeconds: 10,
  bodyLimitBytes: 1024 * 1024,
  trustProxy: false,
  rolloutApprovalTtlSeconds: 3600,
  rolloutTickMs: 1000,
} satisfies Partial<Static<typeof ServerConfigSchema>>);

/** Environment variable per key. */
export const CONFIG_ENV: Readonly<Record<keyof Static<typeof ServerConfigSchema>, string>> = Object.freeze({
  port: 'AFTERPATCH_PORT',
  host: 'AFTERPATCH_HOST',
  dataDir: 'AFTERPATCH_DATA_DIR',
  databaseUrl: 'DATABASE_URL',
  dbPoolSize: 'AFTERPATCH_DB_POOL_SIZE',
  dbMaintenanceIntervalSeconds: 'AFTERPATCH_DB_MAINTENANCE_INTERVAL_SECONDS',
  logLevel: 'AFTERPATCH_LOG_LEVEL',
  jwtSecret: 'AFTERPATCH_JWT_SECRET',
  adminPassword: 'AFTERPATCH_ADMIN_PASSWORD',
  userTokenTtlSeconds: 'AFTERPATCH_USER_TOKEN_TTL_SECONDS',
  agentTokenTtlSeconds: 'AFTERPATCH_AGENT_TOKEN_TTL_SECONDS',
  loginRateLimitMax: 'AFTERPATCH_LOGIN_RATE_LIMIT_MAX',
  loginRateLimitWindowSeconds: 'AFTERPATCH_LOGIN_RATE_LIMIT_WINDOW_SECONDS',
  heartbeatIntervalSeconds: 'AFTERPATCH_HEARTBEAT_INTERVAL_SECONDS',
  instanceHeartbeatSeconds: 'AFTERPATCH_INSTANCE_HEARTBEAT_SECONDS',
  bodyLimitBytes: 'AFTERPATCH_BODY_LIMIT_BYTES',
  trustProxy: 'AFTERPATCH_TRUST_PROXY',
  rolloutApprovalTtlSeconds: 'AFTERPATCH_ROLLOUT_APPROVAL_TTL_SECONDS',
  rolloutTickMs: 'AFTERPATCH_ROLLOUT_TICK_MS',
});

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export interface LoadServerConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** Values from command-line flags (already parsed); undefined entries are ignored. */
  flags?: Partial<Record<'port' | 'host' | 'dataDir' | 'logLevel', string | number | undefined>>;
  /** Path of a JSON config file; default: env AFTERPATCH_CONFIG, else none. */
  configFile?: string;
  /** For tests: reads the file. */
  readFile?: (path: string) => string;
}

const validator = Compile(ServerConfigSchema);

export function loadServerConfig(options: LoadServerConfigOptions = {}): ServerConfig {
  const env = options.env ?? process.env;
  const merged: Record<string, unknown> = { ...CONFIG_DEFAULTS };
  const file = options.configFile ?? env.AFTERPATCH_CONFIG;
  if (file) Object.assign(merged, readConfigFile(file, options.readFile ?? ((p) => readFileSync(p, 'utf8'))));
  for (const [key, name] of Object.entries(CONFIG_ENV)) {
    const raw = env[name];
    if (raw !== undefined && raw !== '') merged[key] = fromString(key, raw, name);
  }
  for (const [key, value] of Object.entries(options.flags ?? {})) {
    if (value !== undefined)
      merged[key] = typeof value === 'string' ? fromString(key, value, `--${key}`) : value;
  }
  if (merged.dataDir === undefined) {
    throw new ConfigError(`the data directory is required (--data-dir or ${CONFIG_ENV.dataDir})`);
  }
  if (!validator.Check(merged)) {
    const first = [...validator.Errors(merged)][0];
    const where = first?.instancePath ? first.instancePath.slice(1) : 'config';
    throw new ConfigError(`invalid configuration: ${where} ${first?.message ?? 'is invalid'}`);
  }
  return Object.freeze(merged as Static<typeof ServerConfigSchema>);
}

function readConfigFile(path: string, read: (path: string) => string): Record<string, unknown> {
  let text: string;
  try {
    text = read(path);
  } catch (err) {
    throw new ConfigError(`cannot read config file ${path}: ${(err as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`config file ${path} is not valid JSON: ${(err as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(`config file ${path} must hold a JSON object`);
  }
  return value as Record<string, unknown>;
}

const INTEGER_KEYS = new Set([
  'port',
  'dbPoolSize',
  'dbMaintenanceIntervalSeconds',
  'userTokenTtlSeconds',
  'agentTokenTtlSeconds',
  'loginRateLimitMax',
  'loginRateLimitWindowSeconds',
  'bodyLimitBytes',
  'rolloutApprovalTtlSeconds',
  'rolloutTickMs',
]);

const DECIMAL_KEYS = new Set(['heartbeatIntervalSeconds', 'instanceHeartbeatSeconds']);

/** Environment and flag values are strings: numbers and booleans are parsed strictly here. */
function fromString(key: string, raw: string, source: string): unknown {
  if (INTEGER_KEYS.has(key) || DECIMAL_KEYS.has(key)) {
    const pattern = DECIMAL_KEYS.has(key) ? /^\d+(\.\d+)?$/ : /^\d+$/;
    if (!pattern.test(raw.trim())) throw new ConfigError(`${source} must be a number, got '${raw}'`);
    return Number(raw.trim());
  }
  if (key === 'trustProxy') {
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    throw new ConfigError(`${source} must be true or false, got '${raw}'`);
  }
  return raw;
}
