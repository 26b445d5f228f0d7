// What a node command line runs: the first word that is not an option, after skipping options
// and the values of those that take one (`--require x`, `-r x`, `--title=x`). Node does not
// bundle short options; `-pe` is its own alias for --print --eval.

export interface NodeInvocation {
  /** The entry script as written; absent for -e/-p, -i, stdin and --test without files. */
  script?: string;
  /** -e / -p code. */
  code?: string;
  /** -r / --require: CommonJS modules preloaded, resolved from the cwd. */
  requires: string[];
  /** --import / --loader / --experimental-loader: ES modules preloaded, resolved from the cwd. */
  imports: string[];
}

/** Options whose value is the next word unless given as --option=value. */
const WITH_VALUE = new Set([
  '-r',
  '--require',
  '--import',
  '--loader',
  '--experimental-loader',
  '-e',
  '--eval',
  '-p',
  '--print',
  '-pe',
  '-C',
  '--conditions',
  '--input-type',
  '--inspect-port',
  '--debug-port',
  '--title',
  '--max-http-header-size',
  '--openssl-config',
  '--icu-data-dir',
  '--redirect-warnings',
  '--diagnostic-dir',
  '--report-dir',
  '--report-directory',
  '--report-filename',
  '--report-signal',
  '--heapsnapshot-signal',
  '--heapsnapshot-near-heap-limit',
  '--secure-heap',
  '--secure-heap-min',
  '--unhandled-rejections',
  '--dns-result-order',
  '--es-module-specifier-resolution',
  '--experimental-policy',
  '--policy-integrity',
  '--tls-cipher-list',
  '--tls-keylog',
  '--use-largepages',
  '--cpu-prof-dir',
  '--cpu-prof-name',
  '--cpu-prof-interval',
  '--heap-prof-dir',
  '--heap-prof-name',
  '--heap-prof-interval',
  '--disable-proto',
  '--trace-event-categories',
  '--trace-event-file-pattern',
  '--watch-path',
  '--env-file',
  '--test-name-pattern',
  '--test-reporter',
  '--test-reporter-destination',
  '--test-concurrency',
  '--test-timeout',
  '--test-shard',
  '--experimental-sea-config',
  '--snapshot-blob',
  '--localstorage-file',
  '--stack-trace-limit',
  '--max-old-space-size',
  '--max-semi-space-size',
  '--stack-size',
]);
/** Options after which there is no script file. */
const NO_SCRIPT = new Set(['-i', '--interactive', '-v', '--version', '-h', '--help', '--v8-options']);

/** argv[0] is the interpreter itself and is skipped. */
export function parseNodeArgv(argv: readonly string[]): NodeInvocation {
  const result: NodeInvocation = { requires: [], imports: [] };
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      const next = argv[i + 1];
      if (next !== undefined && next !== '-' && result.code === undefined) result.script = next;
      return result;
    }
    if (arg === '-') return result;
    if (!arg.startsWith('-')) {
      if (result.code === undefined) result.script = arg;
      return result;
    }
    if (NO_SCRIPT.has(arg)) return result;
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    let value: string | undefined;
    if (eq > 0) value = arg.slice(eq + 1);
    else if (WITH_VALUE.has(name)) value = argv[++i];
    else if (/^--[\w-]+$/.test(name) && /^\d+$/.test(argv[i + 1] ?? '')) i++; // a V8 flag's number
    if (value === undefined) continue;
    if (name === '-r' || name === '--require') result.requires.push(value);
    else if (name === '--import' || name === '--loader' || name === '--experimental-loader') {
      result.imports.push(value);
    } else if (['-e', '--eval', '-p', '--print', '-pe'].includes(name)) result.code = value;
  }
  return result;
}
