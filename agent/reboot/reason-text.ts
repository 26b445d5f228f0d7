// Reasons end up in the scan report, whose text fields are length-limited by the schema;
// strings read from the host (image headers, package lists) must be cut to fit.
import { SCAN_REPORT_LIMITS } from '../../shared/scan-report-limits.js';

export function limitText(text: string, max: number = SCAN_REPORT_LIMITS.textLength): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** `a, b and c`, shortened to `a, b, … and N more` past `maxShown` names. */
export function listNames(names: readonly string[], maxShown = 12): string {
  const shown = names.slice(0, maxShown);
  const hidden = names.length - shown.length;
  if (hidden > 0) return `${shown.join(', ')} and ${hidden} more`;
  if (shown.length <= 1) return shown.join('');
  return `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
}
