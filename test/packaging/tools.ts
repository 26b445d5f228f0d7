// External validators the packaging tests use when the machine has them (.ci/run installs
// them from Debian): a test that needs a missing one is skipped with the reason, never passed.
import { spawnSync } from 'node:child_process';

export function haveTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

export function skipWithout(name: string): string | false {
  return haveTool(name) ? false : `${name} is not installed (.ci/run installs it)`;
}
