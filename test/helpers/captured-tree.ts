// Builds a captured host tree (procfs files plus the files they refer to) in a temp dir, for
// `scanHost({ root })` and `afterpatch scan --root`. Inode numbers in the fake maps files come
// from the real files of the tree, so "unchanged" and "replaced" mean what they say.
import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { decodeDevice } from '../../agent/host/file-stat.js';

export const CAPTURED_BTIME = 1_700_000_000;

export interface FakeProcess {
  pid: number;
  comm: string;
  exe: string;
  /** Paths mapped r-xp: a real file of the tree, or `{ path, inode, deleted }` for a file that is gone. */
  maps: (string | { path: string; inode: number; deleted?: boolean })[];
  cgroup?: string;
  uid?: number;
  startTicks?: number;
  flags?: number;
  state?: string;
  pidNamespace?: string;
  cmdline?: string[];
}

export class CapturedTree {
  readonly root = mkdtempSync(join(tmpdir(), 'afterpatch-captured-'));

  constructor() {
    this.write('proc/stat', `cpu  1 2 3 4\nbtime ${CAPTURED_BTIME}\nprocesses 100\n`);
    this.write('proc/sys/kernel/hostname', 'captured-host\n');
    this.write('proc/sys/kernel/osrelease', '6.1.0-18-amd64\n');
    this.write('proc/sys/kernel/version', '#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)\n');
    this.write('proc/sys/kernel/random/boot_id', '11111111-2222-3333-4444-555555555555\n');
    this.write('etc/machine-id', '0123456789abcdef0123456789abcdef\n');
    this.write('etc/os-release', 'NAME="Debian GNU/Linux"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n');
  }

  /** Writes a file of the tree (path relative to the root, with or without a leading slash). */
  write(path: string, content: string | Buffer, mtime?: Date): string {
    const file = join(this.root, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
    if (mtime) utimesSync(file, mtime, mtime);
    return file;
  }

  inodeOf(path: string): number {
    return Number(statSync(join(this.root, path)).ino);
  }

  /** The tree's device as maps shows it ("fe:01"), so unchanged files compare equal. */
  deviceField(): string {
    const { major, minor } = decodeDevice(statSync(this.root, { bigint: true }).dev);
    return `${major.toString(16).padStart(2, '0')}:${minor.toString(16).padStart(2, '0')}`;
  }

  addProcess(p: FakeProcess): void {
    const dir = `proc/${p.pid}`;
    const ticks = p.startTicks ?? 100 * 3600;
    const fields = [p.state ?? 'S', '1', String(p.pid), String(p.pid), '0', '-1', String(p.flags ?? 4194560)];
    while (fields.length < 19) fields.push('0');
    fields.push(String(ticks), '1000000', '100');
    this.write(`${dir}/stat`, `${p.pid} (${p.comm}) ${fields.join(' ')}\n`);
    const device = this.deviceField();
    const lines = p.maps.map((m, i) => {
      const start = (0x7f0000000000 + i * 0x100000).toString(16);
      const end = (0x7f0000000000 + i * 0x100000 + 0x1000).toString(16);
      const entry = typeof m === 'string' ? { path: m, inode: this.inodeOf(m), deleted: false } : m;
      const shown = entry.deleted ? `${entry.path} (deleted)` : entry.path;
      return `${start}-${end} r-xp 00000000 ${device} ${entry.inode}    ${shown}`;
    });
    this.write(`${dir}/maps`, lines.length > 0 ? `${lines.join('\n')}\n` : '');
    symlinkSync(p.exe, join(this.root, dir, 'exe'));
    symlinkSync('/', join(this.root, dir, 'cwd'));
    this.write(`${dir}/cgroup`, `0::${p.cgroup ?? '/'}\n`);
    this.write(`${dir}/status`, `Name:\t${p.comm}\nUid:\t${p.uid ?? 0}\t0\t0\t0\n`);
    this.write(`${dir}/cmdline`, `${(p.cmdline ?? [p.exe]).join('\0')}\0`);
    mkdirSync(join(this.root, dir, 'ns'), { recursive: true });
    symlinkSync(p.pidNamespace ?? 'pid:[4026531836]', join(this.root, dir, 'ns', 'pid'));
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
