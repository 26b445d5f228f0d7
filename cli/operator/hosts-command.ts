// `afterpatch hosts list|show`: the fleet from the operator's terminal, through the REST API.
import { formatText } from '../../agent/output/format-text.js';
import type { ApiClient } from '../api/api-client.js';
import { ago, formatTable } from '../api/format-table.js';
import type { Command } from '../main.js';
import { parseCommandLine } from '../parse-options.js';
import { UsageError } from '../usage-error.js';
import {
  HOST_STATUSES,
  type HostDetail,
  type HostPage,
  type HostStatus,
  type HostSummary,
} from './host-types.js';
import {
  CONNECTION_HELP,
  CONNECTION_OPTIONS,
  dispatch,
  withApiClient,
  writeJson,
} from './run-operator-command.js';

const LIST_HELP = `Usage: afterpatch hosts list [--status S] [--search TEXT] [--label KEY:VALUE]
                            [--online | --offline] [--include-revoked] [--limit N] [--json]

Lists the hosts, sorted by hostname: status, stale processes, services to restart, reboot,
last contact. --json prints the API's host objects as one array.

  --status S          ok | restart | reboot | unknown
  --search TEXT       hostname contains TEXT (case-insensitive)
  --label KEY:VALUE   only hosts with this label
  --online, --offline only connected / disconnected hosts
  --include-revoked   also hosts whose credential was revoked
  --limit N           at most N hosts (default: all)

${CONNECTION_HELP}
`;

const SHOW_HELP = `Usage: afterpatch hosts show <id | hostname> [--json]

One host: its state on the server and its latest scan report (what to restart, whether to
reboot and why). A hostname must match exactly one host (case-insensitive). --json prints the
API's host object with the full report.

${CONNECTION_HELP}
`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PAGE_SIZE = 200;

const LIST_OPTIONS = {
  ...CONNECTION_OPTIONS,
  status: { type: 'string' },
  search: { type: 'string' },
  label: { type: 'string' },
  online: { type: 'boolean' },
  offline: { type: 'boolean' },
  'include-revoked': { type: 'boolean' },
  limit: { type: 'string' },
} as const;

async function listHosts(args: string[]): Promise<number> {
  const { values } = parseCommandLine(args, LIST_OPTIONS, 0);
  if (values.help) {
    process.stdout.write(LIST_HELP);
    return 0;
  }
  if (values.status !== undefined && !HOST_STATUSES.includes(values.status as HostStatus)) {
    throw new UsageError(`--status must be one of ${HOST_STATUSES.join(', ')}, not '${values.status}'`);
  }
  if (values.online && values.offline) throw new UsageError('choose --online or --offline, not both');
  const limit =
    values.limit === undefined ? Number.POSITIVE_INFINITY : positiveInteger('--limit', values.limit);
  return withApiClient(values, async (client) => {
    const hosts = await fetchHosts(client, limit, {
      status: values.status,
      search: values.search,
      label: values.label,
      online: values.online ? true : values.offline ? false : undefined,
      includeRevoked: values['include-revoked'] ? true : undefined,
    });
    if (values.json) {
      writeJson(hosts.items);
      return 0;
    }
    if (hosts.items.length === 0) {
      process.stdout.write('no hosts match\n');
      return 0;
    }
    process.stdout.write(hostTable(hosts.items));
    if (hosts.total > hosts.items.length) {
      process.stdout.write(`(${hosts.items.length} of ${hosts.total} hosts; --limit to see more)\n`);
    }
    return 0;
  });
}

/** Pages through the list until `limit` hosts or the end. */
async function fetchHosts(
  client: ApiClient,
  limit: number,
  filters: Record<string, string | boolean | undefined>,
): Promise<{ items: HostSummary[]; total: number }> {
  const items: HostSummary[] = [];
  for (let page = 1; ; page++) {
    const pageSize = Math.min(PAGE_SIZE, limit - items.length);
    const answer = await client.get<HostPage>('/hosts', { ...filters, page, pageSize });
    items.push(...answer.items);
    if (items.length >= limit || answer.items.length < pageSize || items.length >= answer.total) {
      return { items, total: answer.total };
    }
  }
}

export function hostTable(hosts: readonly HostSummary[], now = Date.now()): string {
  return formatTable(hosts, [
    { header: 'HOSTNAME', value: (h) => h.hostname, maxWidth: 40 },
    { header: 'STATUS', value: (h) => (h.revokedAt ? `${h.status} (revoked)` : h.status) },
    { header: 'ONLINE', value: (h) => (h.online ? 'yes' : 'no') },
    { header: 'STALE', value: (h) => String(h.staleProcesses), right: true },
    { header: 'SERVICES', value: (h) => String(h.servicesToRestart), right: true },
    { header: 'CONTAINERS', value: (h) => String(h.containersToRestart), right: true },
    { header: 'REBOOT', value: (h) => (h.rebootRequired ? 'yes' : 'no') },
    { header: 'LAST SEEN', value: (h) => ago(h.lastSeenAt, now) },
    { header: 'KERNEL', value: (h) => h.kernelRelease ?? '-', maxWidth: 32 },
    { header: 'ID', value: (h) => h.id },
  ]);
}

async function showHost(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(args, CONNECTION_OPTIONS, 1);
  if (values.help) {
    process.stdout.write(SHOW_HELP);
    return 0;
  }
  const which = positionals[0];
  if (which === undefined) throw new UsageError('which host? give its id or hostname');
  return withApiClient(values, async (client) => {
    const id = UUID.test(which) ? which : await idOfHostname(client, which);
    if (id === undefined) return 1;
    const host = await client.get<HostDetail>(`/hosts/${encodeURIComponent(id)}`);
    if (values.json) writeJson(host);
    else process.stdout.write(describeHost(host));
    return 0;
  });
}

/** The id of the one host with this hostname; undefined (after saying why) when none or several. */
async function idOfHostname(client: ApiClient, hostname: string): Promise<string | undefined> {
  const answer = await client.get<HostPage>('/hosts', {
    search: hostname,
    includeRevoked: true,
    pageSize: PAGE_SIZE,
  });
  const exact = answer.items.filter((h) => h.hostname.toLowerCase() === hostname.toLowerCase());
  if (exact.length === 1) return exact[0]!.id;
  if (exact.length === 0) {
    const similar = answer.items.slice(0, 5).map((h) => h.hostname);
    process.stderr.write(
      `afterpatch: no host named '${hostname}'${similar.length > 0 ? ` (similar: ${similar.join(', ')})` : ''}\n`,
    );
    return undefined;
  }
  process.stderr.write(
    `afterpatch: ${exact.length} hosts are named '${hostname}'; give the id:\n${exact.map((h) => `  ${h.id}${h.revokedAt ? ' (revoked)' : ''}`).join('\n')}\n`,
  );
  return undefined;
}

export function describeHost(host: HostDetail, now = Date.now()): string {
  const labels = Object.entries(host.labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  const facts: Array<[string, string]> = [
    ['id', host.id],
    ['status', host.revokedAt ? `${host.status} (credential revoked ${host.revokedAt})` : host.status],
    ['online', host.online ? 'yes' : `no (last seen ${ago(host.lastSeenAt, now)})`],
    ['last report', host.reportedAt ? `${host.reportedAt} (${ago(host.reportedAt, now)})` : 'none yet'],
    ['stale since', host.staleSince ?? '-'],
    ['kernel', host.kernelRelease ?? '-'],
    ['agent', host.agentVersion ?? '-'],
    ['labels', labels || '-'],
    ['enrolled', host.enrolledAt],
  ];
  const width = Math.max(...facts.map(([k]) => k.length));
  const head = [`${host.hostname}`, ...facts.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)].join('\n');
  const body = host.report
    ? formatText(host.report, { color: false, verbose: false })
    : 'No scan report has been received from this host yet.\n';
  return `${head}\n\n${body}`;
}

function positiveInteger(flag: string, text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < 1) {
    throw new UsageError(`${flag} takes a positive whole number, not '${text}'`);
  }
  return value;
}

export const hostsCommand: Command = {
  run: (args) =>
    dispatch(
      'hosts',
      {
        list: { summary: 'list the hosts with their status (filters, --json)', run: listHosts },
        show: { summary: "one host's state and latest report", run: showHost },
      },
      args,
    ),
};
