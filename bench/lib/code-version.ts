// Which code was measured: the commit and whether the working tree had changes on top of it.
// Figures from a dirty tree are only comparable with runs of the same tree.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface CodeVersion {
  /** HEAD's commit id, or 'unknown' outside a git checkout. */
  readonly commit: string;
  /** Files changed or added relative to HEAD (git status --porcelain lines). */
  readonly changedFiles: number;
}

export async function readCodeVersion(repoDir: string): Promise<CodeVersion> {
  const git = async (args: string[]) =>
    (await execFileAsync('git', ['-C', repoDir, ...args], { timeout: 10_000, maxBuffer: 16 * 1024 * 1024 }))
      .stdout;
  try {
    const commit = (await git(['rev-parse', 'HEAD'])).trim();
    const status = await git(['status', '--porcelain', '--untracked-files=normal']);
    return { commit, changedFiles: status.split('\n').filter((l) => l.trim() !== '').length };
  } catch {
    return { commit: 'unknown', changedFiles: 0 };
  }
}
