// The few fields of /proc/PID/status the scanner needs.

/** Real UID: the first number of the "Uid:" line. */
export function parseStatusUid(text: string): number | undefined {
  const match = /^Uid:\s+(\d+)/m.exec(text);
  return match ? Number(match[1]) : undefined;
}

/** /proc/PID/cmdline is NUL-separated with a trailing NUL. */
export function parseCmdline(text: string): string[] {
  if (text.length === 0) return [];
  const args = text.split('\0');
  if (args[args.length - 1] === '') args.pop();
  return args;
}
