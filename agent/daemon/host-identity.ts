// What the agent tells the server about the machine it runs on: for enrolment (hostname and
// machine-id, so re-enrolling the same machine keeps its host record) and for `hello`.
import { readFileSync } from 'node:fs';
import { hostname, release } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_BOOT_ID_FILE, readBootId } from '../executor/boot-id.js';

export interface HostIdentity {
  hostname: string;
  machineId: string | undefined;
  bootId: string;
  kernelRelease: string;
}

/**
 * Reads the identity of this machine; every value bounded to what the protocol accepts. With
 * `root` (an agent in a container, the host's / mounted there) the machine-id and hostname are
 * the host's, so the host keeps one record whether its agent runs in a container or not.
 */
export function readHostIdentity(root = '/', bootIdFile: string = DEFAULT_BOOT_ID_FILE): HostIdentity {
  const hostRoot = root !== '/';
  return {
    hostname: ((hostRoot ? readSmallText(join(root, 'etc/hostname')) : undefined) ?? hostname()).slice(
      0,
      256,
    ),
    machineId:
      readSmallText(join(root, 'etc/machine-id')) ?? readSmallText(join(root, 'var/lib/dbus/machine-id')),
    bootId: readBootId(bootIdFile),
    kernelRelease: release().slice(0, 256),
  };
}

function readSmallText(path: string): string | undefined {
  try {
    const text = readFileSync(path, 'utf8').slice(0, 256).trim();
    return text || undefined;
  } catch {
    return undefined;
  }
}
