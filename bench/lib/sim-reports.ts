// The fleet simulator's reports: the realistic ScanReports of the output tests (a clean host,
// one with stale services/containers/sessions, one that needs a reboot), given each simulated
// host's name and a fresh scan time. Every template is encoded once and checked by the real
// protocol decoder, so the simulator cannot send what a real agent would not.
import type { ReportPayload } from '../../shared/agent-protocol.js';
import { decodeMessage, encodeMessage } from '../../shared/protocol-codec.js';
import type { ScanReport } from '../../shared/scan-report.js';
import { cleanHostReport, rebootReport, servicesReport } from '../../test/agent/output/sample-reports.js';

export type Profile = 'clean' | 'services' | 'reboot';

const TEMPLATES: Record<Profile, ScanReport> = {
  clean: cleanHostReport(),
  services: servicesReport(),
  reboot: rebootReport(),
};

/** Most hosts clean, a fifth with services to restart, a tenth waiting for a reboot. */
export function profileFor(index: number): Profile {
  const bucket = index % 10;
  if (bucket < 7) return 'clean';
  return bucket < 9 ? 'services' : 'reboot';
}

/** The next profile when a host's findings change (an update arrives, or a restart fixes it). */
export function changedProfile(profile: Profile): Profile {
  return profile === 'clean' ? 'services' : 'clean';
}

export function reportFrame(
  hostId: string,
  hostname: string,
  seq: number,
  profile: Profile,
  trigger: ReportPayload['trigger'],
): string {
  // The templates are shared: set the two per-host fields, encode, done (single-threaded).
  const report = TEMPLATES[profile];
  report.host.hostname = hostname;
  report.scan.startedAt = new Date().toISOString();
  return encodeMessage('report', { hostId, seq, trigger, report });
}

export function unchangedFrame(hostId: string, seq: number): string {
  return encodeMessage('unchanged', { hostId, seq, scannedAt: new Date().toISOString() });
}

/** Throws unless every template makes a frame the server's decoder accepts. */
export function validateTemplates(): void {
  const hostId = '00000000-0000-4000-8000-000000000001';
  for (const profile of Object.keys(TEMPLATES) as Profile[]) {
    const decoded = decodeMessage(reportFrame(hostId, 'sim-00001', 1, profile, 'startup'), 'agent');
    if (!decoded.ok) throw new Error(`the '${profile}' report template is invalid: ${decoded.reason}`);
  }
  const decoded = decodeMessage(unchangedFrame(hostId, 2), 'agent');
  if (!decoded.ok) throw new Error(`the unchanged frame is invalid: ${decoded.reason}`);
}
