// The logging the storage layer needs: a subset of pino's Logger, so the server passes its child
// logger as is, and tests pass nothing.
export interface DbLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export const silentLogger: DbLogger = Object.freeze({
  info() {},
  warn() {},
});
