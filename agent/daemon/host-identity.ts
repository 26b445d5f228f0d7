// What the agent tells the server about the machine it runs on: for enrolment (hostname and
// machine-id, so re-enrolling the same machine keeps its host record) and for `hello`.
import { readFileSync } from 'node:fs';
import { hostname, release } from 'node:os';
import { DEFAULT_BOOT_ID_FILE, readBootId } from '../executor/boot-id.js';

export interface HostIdentity {
  hostname: string;
  machineId: string | undefined;
  bootId: string;
  kernelRelease: string;
}

/** Reads the identity of this machine; every value bounded to what the protocol accepts. */
export function readHostIdentity(bootIdFile: string = DEFAULT_BOOT_ID_FILE): HostIdentity {
  return {
    hostname: hostname().slice(0, 256),
    machineId: readSmallText('/etc/machine-id') ?? readSmallText('/var/lib/dbus/machine-id'),
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
