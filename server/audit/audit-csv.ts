// Audit events as CSV (RFC 4180): every field quoted when it holds a comma, a quote, CR or LF
// (quotes doubled), CRLF line ends. A field starting with = + - @ or a tab is prefixed with a
// single quote so that a spreadsheet opening the export does not run it as a formula (details
// hold text chosen by users and agents, e.g. a hostname).

export const AUDIT_CSV_COLUMNS = [
  'id',
  'at',
  'actorType',
  'actorId',
  'actorName',
  'action',
  'targetType',
  'targetId',
  'details',
] as const;

export interface AuditCsvEvent {
  id: string;
  at: string;
  actorType: string;
  actorId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  details: Record<string, unknown>;
}

export function csvField(value: string | null | undefined): string {
  if (value === null || value === undefined) return '';
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function auditCsvHeader(): string {
  return `${AUDIT_CSV_COLUMNS.join(',')}\r\n`;
}

export function auditCsvRow(event: AuditCsvEvent): string {
  const actorName = typeof event.details.actorName === 'string' ? event.details.actorName : null;
  return `${[
    event.id,
    event.at,
    event.actorType,
    event.actorId,
    actorName,
    event.action,
    event.targetType,
    event.targetId,
    JSON.stringify(event.details),
  ]
    .map(csvField)
    .join(',')}\r\n`;
}
