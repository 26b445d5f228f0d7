// The group form's text fields <-> the API's group body: pure parsing with one message per bad
// field, so that the form says what is wrong before anything is sent.
import type { GroupBody, HealthCheck, MaintenanceWindow, RolloutGroup, Weekday } from './types.js';

export interface GroupFormFields {
  name: string;
  selector: string;
  hosts: string;
  maxOut: string;
  maxOutPercent: string;
  minUp: string;
  windows: string;
  dependsOn: string[];
  protected: boolean;
  healthChecks: string;
  holdSec: string;
  hooks: boolean;
  delayBetweenStepsSec: string;
}

export const EMPTY_GROUP: GroupFormFields = {
  name: '',
  selector: '',
  hosts: '',
  maxOut: '1',
  maxOutPercent: '',
  minUp: '',
  windows: '',
  dependsOn: [],
  protected: false,
  healthChecks: '',
  holdSec: '0',
  hooks: true,
  delayBetweenStepsSec: '',
};

const WEEKDAYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const CLOCK = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;

export function fieldsOf(g: RolloutGroup, hostnames: Map<string, string>): GroupFormFields {
  return {
    name: g.name,
    selector: Object.entries(g.selector ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(', '),
    hosts: g.hostIds.map((id) => hostnames.get(id) ?? id).join('\n'),
    maxOut: g.limit.maxOut?.toString() ?? '',
    maxOutPercent: g.limit.maxOutPercent?.toString() ?? '',
    minUp: g.limit.minUp?.toString() ?? '',
    windows: g.windows.map((w) => `${w.days.join(',')} ${w.start}-${w.end} ${w.timeZone}`).join('\n'),
    dependsOn: [...g.dependsOn],
    protected: g.protected,
    healthChecks: g.healthChecks
      .map((c) =>
        c.kind === 'http'
          ? `http ${c.url}${c.expectStatus ? ` ${c.expectStatus}` : ''}`
          : `command ${c.name}`,
      )
      .join('\n'),
    holdSec: String(g.holdSec),
    hooks: g.hooks,
    delayBetweenStepsSec: g.delayBetweenStepsSec?.toString() ?? '',
  };
}

function lines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

function integer(
  text: string,
  field: string,
  errors: Record<string, string>,
  max: number,
): number | undefined {
  if (text.trim() === '') return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > max) {
    errors[field] = `a whole number from 0 to ${max}`;
    return undefined;
  }
  return n;
}

/** "mon,tue 02:00-04:00 Europe/Paris" (or "mon-fri …"). */
export function parseWindow(line: string): MaintenanceWindow | string {
  const m = /^(\S+)\s+(\d\d:\d\d)-(\d\d:\d\d)\s+(\S+)$/.exec(line);
  if (!m) return `"${line}": write days HH:MM-HH:MM zone, e.g. sat,sun 02:00-04:00 Europe/Paris`;
  const [, dayText, start, end, timeZone] = m as unknown as [string, string, string, string, string];
  const days: Weekday[] = [];
  for (const part of dayText.toLowerCase().split(',')) {
    const range = part.split('-');
    const a = WEEKDAYS.indexOf(range[0] as Weekday);
    const b = WEEKDAYS.indexOf((range[1] ?? range[0]) as Weekday);
    if (a < 0 || b < 0 || b < a) return `"${part}": days are mon tue wed thu fri sat sun (or mon-fri)`;
    for (let i = a; i <= b; i++) if (!days.includes(WEEKDAYS[i]!)) days.push(WEEKDAYS[i]!);
  }
  if (!CLOCK.test(start) || !CLOCK.test(end)) return `"${line}": times are HH:MM, 00:00 to 23:59`;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    return `"${timeZone}": not a time zone (e.g. UTC, Europe/Paris)`;
  }
  return { days, start, end, timeZone };
}

/** "http https://host/health [200]" or "command name-in-agent-config". */
export function parseHealthCheck(line: string): HealthCheck | string {
  const [kind, target, status, ...rest] = line.split(/\s+/);
  if (kind === 'http' && target && /^https?:\/\//.test(target) && rest.length === 0) {
    if (status === undefined) return { kind: 'http', url: target };
    const code = Number(status);
    if (Number.isInteger(code) && code >= 100 && code <= 599)
      return { kind: 'http', url: target, expectStatus: code };
  }
  if (kind === 'command' && target && status === undefined) return { kind: 'command', name: target };
  return `"${line}": write http URL [status] or command NAME`;
}

export interface Parsed {
  body?: Omit<GroupBody, 'hostIds'> & { hostNames: string[] };
  errors: Record<string, string>;
}

/** The body to send (host names still to resolve to ids), or the errors by field. */
export function parseGroupFields(f: GroupFormFields): Parsed {
  const errors: Record<string, string> = {};
  const name = f.name.trim();
  if (!/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/.test(name))
    errors.name = 'letters, digits and _ . : - (starting with a letter or digit), at most 100';
  const selector: Record<string, string> = {};
  for (const pair of f.selector
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) errors.selector = `"${pair}": write key=value`;
    else selector[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  const hostNames = lines(f.hosts.replaceAll(',', '\n'));
  if (!errors.selector && Object.keys(selector).length === 0 && hostNames.length === 0)
    errors.selector = 'give a label selector, hosts, or both';
  const limit = {
    maxOut: integer(f.maxOut, 'maxOut', errors, 100_000),
    maxOutPercent: undefined as number | undefined,
    minUp: integer(f.minUp, 'minUp', errors, 100_000),
  };
  if (f.maxOutPercent.trim() !== '') {
    const p = Number(f.maxOutPercent);
    if (!Number.isFinite(p) || p < 0 || p > 100) errors.maxOutPercent = 'a percentage from 0 to 100';
    else limit.maxOutPercent = p;
  }
  const windows: MaintenanceWindow[] = [];
  for (const line of lines(f.windows)) {
    const w = parseWindow(line);
    if (typeof w === 'string') errors.windows = w;
    else windows.push(w);
  }
  const healthChecks: HealthCheck[] = [];
  for (const line of lines(f.healthChecks)) {
    const c = parseHealthCheck(line);
    if (typeof c === 'string') errors.healthChecks = c;
    else healthChecks.push(c);
  }
  const holdSec = integer(f.holdSec, 'holdSec', errors, 86_400) ?? 0;
  const delay = integer(f.delayBetweenStepsSec, 'delayBetweenStepsSec', errors, 86_400);
  if (Object.keys(errors).length > 0) return { errors };
  return {
    errors,
    body: {
      name,
      selector: Object.keys(selector).length ? selector : null,
      hostNames,
      limit: Object.fromEntries(Object.entries(limit).filter(([, v]) => v !== undefined)),
      windows,
      dependsOn: f.dependsOn,
      protected: f.protected,
      healthChecks,
      holdSec,
      hooks: f.hooks,
      delayBetweenStepsSec: delay ?? null,
    },
  };
}
