// Every error the storage layer raises on purpose, built in one place as a code, a message and the
// HTTP status a route should answer with if one ever reaches it; and the one helper that decides
// which database failures are worth retrying.

export const DB_ERROR_CODES = {
  /** Another process (its pid in `details.pid`) holds the PGlite data directory. */
  DB_LOCKED: { statusCode: 500 },
  /** A migration failed, or an earlier failure blocks migrating: the server must not start. */
  DB_MIGRATION_FAILED: { statusCode: 500 },
  /** The database cannot be reached (refused, terminated, unknown host, auth failure). */
  DB_UNAVAILABLE: { statusCode: 503 },
} as const;

export type DbErrorCode = keyof typeof DB_ERROR_CODES;

/** The SQLSTATE the audit_events trigger raises on UPDATE, DELETE and TRUNCATE. */
export const AUDIT_APPEND_ONLY_SQLSTATE = 'AP001';

export class DbError extends Error {
  readonly code: DbErrorCode;
  readonly statusCode: number;
  /** Facts for logs and callers, e.g. `{ pid }` for DB_LOCKED or `{ migration }`. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: DbErrorCode,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DbError';
    this.code = code;
    this.statusCode = DB_ERROR_CODES[code].statusCode;
    this.details = Object.freeze({ ...options.details });
  }
}

export function isDbError(err: unknown, code?: DbErrorCode): err is DbError {
  return err instanceof DbError && (code === undefined || err.code === code);
}

// Node/libpq-level failures of the connection itself: the server was down, restarting or unreachable.
const RETRIABLE_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

// SQLSTATEs after which the same statement can succeed: connection exceptions (class 08), the server
// shutting down or starting (57P01-57P03), too many connections, and transaction conflicts that
// PostgreSQL itself asks the client to retry.
const RETRIABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '40001', '40P01']);

// Prisma's codes for the same situations: can't reach server (P1001), timed out (P1002), server
// closed the connection (P1017), pool timeout (P2024), write conflict or deadlock (P2034).
const RETRIABLE_PRISMA_CODES = new Set(['P1001', 'P1002', 'P1017', 'P2024', 'P2034']);

// Driver adapter error kinds (the `cause` of Prisma's errors) for the same situations.
const RETRIABLE_ADAPTER_KINDS = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
  'TransactionWriteConflict',
]);

// node-postgres reports a dropped connection with a plain Error and one of these messages.
const RETRIABLE_MESSAGES = [
  /Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /Client has encountered a connection error/i,
  /server closed the connection unexpectedly/i,
];

/**
 * True when `err` (or an error it wraps) says the database was unreachable or dropped the
 * connection, or asked for a retry: a caller may try again after a pause. Constraint violations,
 * syntax errors, DB_LOCKED and failed migrations are never retriable.
 */
export function isRetriableDbError(err: unknown): boolean {
  for (const inner of errorChain(err)) {
    if (inner instanceof DbError && inner.code !== 'DB_UNAVAILABLE') return false;
    if (isRetriableOne(inner)) return true;
  }
  return false;
}

/**
 * The PostgreSQL SQLSTATE behind `err` (e.g. '23505', or AUDIT_APPEND_ONLY_SQLSTATE), looked up
 * through Prisma's errors, the driver adapters' and node-postgres's; undefined when none.
 */
export function sqlStateOf(err: unknown): string | undefined {
  for (const inner of errorChain(err)) {
    // node-postgres and PGlite errors, and the adapters' `postgres` causes, carry a severity.
    if (typeof inner.severity === 'string' && typeof inner.code === 'string') return inner.code;
    if (typeof inner.originalCode === 'string') return inner.originalCode;
  }
  return undefined;
}

/**
 * `err` and what it wraps, outermost first: `cause` chains, AggregateError members, and the
 * driver adapter error that Prisma keeps in `meta.driverAdapterError`.
 */
function* errorChain(err: unknown): Generator<Record<string, unknown>> {
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  while (queue.length > 0 && seen.size < 32) {
    const current = queue.shift();
    if (current === null || typeof current !== 'object' || seen.has(current)) continue;
    seen.add(current);
    const record = current as Record<string, unknown>;
    yield record;
    queue.push(record.cause);
    const meta = record.meta as Record<string, unknown> | undefined;
    if (meta && typeof meta === 'object') queue.push(meta.driverAdapterError);
    if (current instanceof AggregateError) queue.push(...current.errors);
  }
}

function isRetriableOne(err: Record<string, unknown>): boolean {
  const code = typeof err.code === 'string' ? err.code : undefined;
  if (code !== undefined) {
    if (RETRIABLE_NODE_CODES.has(code) || RETRIABLE_PRISMA_CODES.has(code)) return true;
    if (RETRIABLE_SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code)) return true;
  }
  if (typeof err.kind === 'string' && RETRIABLE_ADAPTER_KINDS.has(err.kind)) return true;
  const message = typeof err.message === 'string' ? err.message : '';
  return RETRIABLE_MESSAGES.some((pattern) => pattern.test(message));
}
