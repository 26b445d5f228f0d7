// The machine a benchmark ran on, recorded with its figures: they mean nothing without it.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, release, totalmem, version } from 'node:os';
import { promisify } from 'node:util';
import { AFTERPATCH_VERSION } from '../../shared/version.js';

const execFileAsync = promisify(execFile);

export interface HostInfo {
  readonly nproc: number;
  readonly cpuModel: string;
  readonly memTotalMiB: number;
  readonly kernelRelease: string;
  readonly kernelVersion: string;
  readonly os: string;
  readonly node: string;
  readonly afterpatch: string;
  /** Installed versions of the peers and helpers (dpkg), or 'not installed'. */
  readonly packages: Readonly<Record<string, string>>;
}

const PEER_PACKAGES = ['needrestart', 'debian-goodies', 'time', 'lsof'] as const;

export async function readHostInfo(): Promise<HostInfo> {
  const packages: Record<string, string> = {};
  for (const name of PEER_PACKAGES) packages[name] = await dpkgVersion(name);
  return {
    nproc: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memTotalMiB: Math.round(totalmem() / 2 ** 20),
    kernelRelease: release(),
    kernelVersion: version(),
    os: osPrettyName(),
    node: process.version,
    afterpatch: AFTERPATCH_VERSION,
    packages,
  };
}

async function dpkgVersion(name: string): Promise<string> {
  try {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own ${Field} syntax
    const format = '${Status}|${Version}';
    const { stdout } = await execFileAsync('dpkg-query', ['-W', '-f', format, name], {
      timeout: 10_000,
    });
    const [status, ver] = stdout.split('|');
    return status?.endsWith(' installed') && ver ? ver : 'not installed';
  } catch {
    return 'not installed';
  }
}

function osPrettyName(): string {
  try {
    const text = readFileSync('/etc/os-release', 'utf8');
    return /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(text)?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
