// Creates a throwaway host tree in a temp dir: paths map to file contents, `{ dir: true }`
// for empty directories and `{ symlink }` for links.
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export type TreeEntry = string | Buffer | { dir: true } | { symlink: string };

export async function makeTree(entries: Record<string, TreeEntry>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'afterpatch-reboot-'));
  for (const [path, entry] of Object.entries(entries)) {
    const full = join(root, path);
    if (typeof entry === 'object' && 'dir' in entry) {
      await mkdir(full, { recursive: true });
      continue;
    }
    await mkdir(dirname(full), { recursive: true });
    if (typeof entry === 'object' && 'symlink' in entry) await symlink(entry.symlink, full);
    else await writeFile(full, entry);
  }
  return root;
}

export async function removeTree(root: string): Promise<void> {
  await rm(root, { recursive: true, force: true });
}
