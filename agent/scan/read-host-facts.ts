// Facts about the host the report is for: names, boot identity, running kernel. Read from procfs
// and /etc under the scanned root so that a captured tree reports its own host, not ours. The
// agent names its boot id file (agent.bootIdFile): its reports must carry the same boot id as its
// hello and its reboot evidence, or the server sees a host flip between two boots.
import { readFileSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import { parseBootTimeSeconds } from '../procfs/parse-stat.js';

export interface HostFacts {
  hostname: string;
  machineId?: string;
  bootId?: string;
  os?: string;
  bootTimeSeconds: number;
  kernelRelease: string;
  kernelVersion: string;
}

export function readHostFacts(procRoot: string, root: string, bootIdFile?: string): HostFacts {
  const bootTimeSeconds = parseBootTimeSeconds(readFileSync(join(procRoot, 'stat'), 'utf8'));
  if (bootTimeSeconds === undefined) throw new Error(`no btime line in ${join(procRoot, 'stat')}`);
  const machineId = readTrimmed(join(root, 'etc/machine-id'));
  const bootId = readTrimmed(bootIdFile ?? join(procRoot, 'sys/kernel/random/boot_id'))?.slice(0, 256);
  const os = parsePrettyName(
    readTrimmed(join(root, 'etc/os-release')) ?? readTrimmed(join(root, 'usr/lib/os-release')),
  );
  return {
    hostname: readTrimmed(join(procRoot, 'sys/kernel/hostname')) ?? osHostname(),
    ...(machineId ? { machineId } : {}),
    ...(bootId ? { bootId } : {}),
    ...(os ? { os } : {}),
    bootTimeSeconds,
    kernelRelease: readTrimmed(join(procRoot, 'sys/kernel/osrelease')) ?? 'unknown',
    kernelVersion: readTrimmed(join(procRoot, 'sys/kernel/version')) ?? 'unknown',
  };
}

/** PRETTY_NAME="Debian GNU/Linux 12 (bookworm)" -> Debian GNU/Linux 12 (bookworm) */
export function parsePrettyName(osRelease: string | undefined): string | undefined {
  if (osRelease === undefined) return undefined;
  const match = /^PRETTY_NAME=(.*)$/m.exec(osRelease);
  if (!match) return undefined;
  return match[1]!.trim().replace(/^(["'])(.*)\1$/, '$2');
}

function readTrimmed(file: string): string | undefined {
  try {
    const text = readFileSync(file, 'utf8').trim();
    return text.length > 0 ? text : undefined;
  } catch {
    return undefined;
  }
}
