// Reads a JSON document an operator hands to a command (`groups apply -f FILE`, `-` for stdin),
// with a size limit, and says in one line what is wrong with it.
import { readFile, stat } from 'node:fs/promises';

/** EX_DATAERR: the file is not what the command needs (as `afterpatch plan`). */
export const EXIT_DATA_ERROR = 65;
/** EX_NOINPUT: the file cannot be read. */
export const EXIT_NO_INPUT = 66;

const MAX_BYTES = 32 * 1024 * 1024;

export class InputFileError extends Error {
  override readonly name = 'InputFileError';
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export async function readJsonFile(path: string): Promise<unknown> {
  let text: string;
  try {
    if (path === '-') {
      text = await readStdin();
    } else {
      if ((await stat(path)).size > MAX_BYTES) {
        throw new InputFileError(`${path}: larger than ${MAX_BYTES} bytes`, EXIT_NO_INPUT);
      }
      text = await readFile(path, 'utf8');
    }
  } catch (err) {
    if (err instanceof InputFileError) throw err;
    throw new InputFileError(`cannot read ${path}: ${(err as Error).message}`, EXIT_NO_INPUT);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InputFileError(`${path} is not valid JSON: ${(err as Error).message}`, EXIT_DATA_ERROR);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    size += (chunk as Buffer).length;
    if (size > MAX_BYTES) throw new InputFileError(`stdin: larger than ${MAX_BYTES} bytes`, EXIT_NO_INPUT);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
