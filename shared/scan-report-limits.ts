// The scan report's version and size limits, apart from the schema so that code which only
// builds reports (the scanner, on every host) need not load the schema library at start-up.

export const SCAN_REPORT_SCHEMA_VERSION = 1;

/** Limits that keep a hostile or broken agent from sending unbounded documents. */
export const SCAN_REPORT_LIMITS = Object.freeze({
  pathLength: 4096,
  textLength: 1024,
  cmdlineArgs: 32,
  filesPerProcess: 256,
  processes: 50_000,
  listItems: 50_000,
});
