// Debian/Ubuntu package scripts append their package name to reboot-required.pkgs each time
// they ask for a reboot, so the same name can appear many times.
import { SCAN_REPORT_LIMITS } from '../../shared/scan-report-limits.js';
import { limitText } from './reason-text.js';

/** Package names from a `reboot-required.pkgs` file: trimmed, deduplicated, in file order. */
export function parseRebootRequiredPackages(text: string, maxNames = 1000): string[] {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const name = line.replace(/[^\x20-\x7e]/g, '').trim();
    if (name === '' || name.startsWith('#')) continue;
    names.add(limitText(name, SCAN_REPORT_LIMITS.textLength));
    if (names.size >= maxNames) break;
  }
  return [...names];
}
