// `afterpatch audit tail [--follow]`: the newest audit events, oldest first like `tail`, then
// (with --follow) new ones as they come, by polling with the id cursor. Admin only (the API's rule).
import type { AuditEvent, AuditPage } from '../../shared/api/audit.js';
import type { ApiClient } from '../api/api-client.js';
import { formatTable } from '../api/format-table.js';
import type { Command } from '../main.js';
import { parseCommandLine } from '../parse-options.js';
import { UsageError } from '../usage-error.js';
import { CONNECTION_HELP, CONNECTION_OPTIONS, dispatch, withApiClient } from './run-operator-command.js';

const TAIL_HELP = `Usage: afterpatch audit tail [-n N] [--action ACTION] [--follow] [--json]

The newest audit events, oldest first (admin role). With --follow, keeps polling and prints
new events as they are recorded, until interrupted.

  -n, --lines N             how many events first (default 20, at most 200)
  --action ACTION           only this action, or a prefix ending in '.' (e.g. 'auth.')
  -f, --follow              keep printing new events
  --interval-seconds N      polling period with --follow (default 2)
  --json                    one JSON object per line (NDJSON)

${CONNECTION_HELP}
`;

const OPTIONS = {
  ...CONNECTION_OPTIONS,
  lines: { type: 'string', short: 'n' },
  action: { type: 'string' },
  follow: { type: 'boolean', short: 'f' },
  'interval-seconds': { type: 'string' },
} as const;

const MAX_PAGE = 200;

async function tail(args: string[]): Promise<number> {
  const { values } = parseCommandLine(args, OPTIONS, 0);
  if (values.help) {
    process.stdout.write(TAIL_HELP);
    return 0;
  }
  const lines = wholeNumber('--lines', values.lines ?? '20', 0, MAX_PAGE);
  const intervalMs = wholeNumber('--interval-seconds', values['interval-seconds'] ?? '2', 1, 3600) * 1000;
  const filters = { action: values.action };
  const print = values.json
    ? (events: AuditEvent[]) => {
        for (const e of events) process.stdout.write(`${JSON.stringify(e)}\n`);
      }
    : (events: AuditEvent[]) => {
        if (events.length > 0) process.stdout.write(auditLines(events));
      };
  return withApiClient(values, async (client) => {
    const first = lines > 0 ? await client.get<AuditPage>('/audit', { ...filters, limit: lines }) : undefined;
    const initial = (first?.items ?? []).slice().reverse();
    print(initial);
    if (!values.follow) return 0;
    let lastId = initial.at(-1)?.id ?? (await newestId(client, filters));
    const stop = waitForInterrupt();
    while (!(await stop.within(intervalMs))) {
      const fresh = await eventsAfter(client, lastId, filters);
      print(fresh);
      lastId = fresh.at(-1)?.id ?? lastId;
    }
    return 0;
  });
}

async function newestId(client: ApiClient, filters: { action?: string | undefined }): Promise<string> {
  const page = await client.get<AuditPage>('/audit', { ...filters, limit: 1 });
  return page.items[0]?.id ?? '0';
}

/** Every event with an id above `lastId`, oldest first, paging back through a burst. */
export async function eventsAfter(
  client: ApiClient,
  lastId: string,
  filters: { action?: string | undefined },
): Promise<AuditEvent[]> {
  const after = BigInt(lastId);
  const collected: AuditEvent[] = [];
  let before: string | undefined;
  for (;;) {
    const page = await client.get<AuditPage>('/audit', { ...filters, limit: MAX_PAGE, before });
    const newer = page.items.filter((e) => BigInt(e.id) > after);
    collected.push(...newer);
    if (newer.length < page.items.length || page.nextCursor === null) break;
    before = page.nextCursor;
  }
  return collected.reverse();
}

export function auditLines(events: readonly AuditEvent[]): string {
  return formatTable(events, [
    { header: 'AT', value: (e) => e.at },
    { header: 'ACTOR', value: actorOf, maxWidth: 40 },
    { header: 'ACTION', value: (e) => e.action },
    {
      header: 'TARGET',
      value: (e) => (e.targetType ? `${e.targetType}:${e.targetId ?? ''}` : '-'),
      maxWidth: 60,
    },
  ]);
}

function actorOf(e: AuditEvent): string {
  const name = typeof e.details.actorName === 'string' ? e.details.actorName : e.actorId;
  return name ? `${e.actorType}:${name}` : e.actorType;
}

/** Resolves `within(ms)` with true as soon as SIGINT/SIGTERM arrives, else false after ms. */
function waitForInterrupt(): { within(ms: number): Promise<boolean> } {
  let interrupted = false;
  let wake: (() => void) | undefined;
  const onSignal = (): void => {
    interrupted = true;
    wake?.();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    within(ms) {
      if (interrupted) return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(interrupted), ms);
        wake = () => {
          clearTimeout(timer);
          resolve(true);
        };
      });
    },
  };
}

function wholeNumber(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new UsageError(`${flag} takes a whole number between ${min} and ${max}, not '${text}'`);
  }
  return value;
}

export const auditCommand: Command = {
  run: (args) =>
    dispatch(
      'audit',
      { tail: { summary: 'the newest audit events; --follow for new ones', run: tail } },
      args,
    ),
};
