// What the agent tells the server about the machine it runs on: for enrolment (hostname and
// machine-id, so re-enrolling the same machine keeps its host record) and for `hello`.
import { readFileSync } from 'node:fs';
import { hostname, release } from 'node:os';

export interface HostIdentity {
  hostname: string;
  machineId: string | undefined;
  bootId: string;
  kernelRelease: string;
}

/** Reads the identity of this machine; every value bounded to what the protocol accepts. */
export function readHostIdentity(): HostIdentity {
  return {
    hostname: hostname().slice(0, 256),
    machineId: readSmallText('/etc/machine-id') ?? readSmallText('/var/lib/dbus/machine-id'),
    bootId: readSmallText('/proc/sys/kernel/random/boot_id') ?? 'unknown',
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
