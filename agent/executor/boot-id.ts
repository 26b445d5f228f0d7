// The boot id: a random UUID the kernel makes at every boot. Comparing it before and after a
// reboot step is the proof that the host really rebooted. The file is configurable
// (agent.bootIdFile) for containers and for the simulated hosts of the test harness.
import { readFileSync } from 'node:fs';

export const DEFAULT_BOOT_ID_FILE = '/proc/sys/kernel/random/boot_id';

export function readBootId(file: string = DEFAULT_BOOT_ID_FILE): string {
  try {
    return readFileSync(file, 'utf8').slice(0, 256).trim() || 'unknown';
  } catch {
    return 'unknown';
  }
}
