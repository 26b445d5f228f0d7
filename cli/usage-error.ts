// A mistake in how the command was called: reported in one line, with exit code 64 (EX_USAGE),
// never as a stack trace.
export class UsageError extends Error {
  readonly exitCode = 64;
  override readonly name = 'UsageError';
}
