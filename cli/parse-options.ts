// Command-line options for every `afterpatch` command: strict (an unknown option or a missing
// value is an error, never ignored) and turned into a UsageError so it ends with exit code 64.
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './usage-error.js';

type Options = NonNullable<ParseArgsConfig['options']>;
type Parsed<T extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: T; allowPositionals: false; strict: true }>
>['values'];

export function parseOptions<T extends Options>(args: string[], options: T): Parsed<T> {
  try {
    return parseArgs({ args, options, allowPositionals: false, strict: true }).values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

type ParsedWithPositionals<T extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>
>;

/** Like parseOptions, for commands that take operands (`hosts show web-01`, `config check FILE`). */
export function parseCommandLine<T extends Options>(
  args: string[],
  options: T,
  maxPositionals: number,
): { values: ParsedWithPositionals<T>['values']; positionals: string[] } {
  let parsed: ParsedWithPositionals<T>;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (parsed.positionals.length > maxPositionals) {
    throw new UsageError(`unexpected argument '${parsed.positionals[maxPositionals]}'`);
  }
  return { values: parsed.values, positionals: parsed.positionals };
}
