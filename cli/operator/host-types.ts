// The server's host answers as the CLI reads them: the types of shared/api/hosts.ts, the schemas
// server/routes/hosts.ts answers with (the OpenAPI document at /docs/json has every field).
import type { HostDetail as HostDetailAnswer } from '../../shared/api/hosts.js';
import type { ScanReport } from '../../shared/scan-report.js';

export { HOST_STATUSES, type HostPage, type HostStatus, type HostSummary } from '../../shared/api/hosts.js';

// The route's schema says "an object" (the report is stored as the agent sent it): a ScanReport.
export type HostDetail = Omit<HostDetailAnswer, 'report'> & { report: ScanReport | null };
