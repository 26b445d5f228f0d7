// `afterpatch groups list|show|apply|delete`: rollout groups from the operator's terminal. Groups
// are named by their (unique) name here; the API addresses them by id, so each command looks the
// name up first. `apply` creates or replaces, validated first against the route's own schema.
import { Compile } from 'typebox/compile';
import { GroupBody } from '../../server/routes/group-schema.js';
import type { ApiClient } from '../api/api-client.js';
import { formatTable } from '../api/format-table.js';
import type { Command } from '../main.js';
import { parseCommandLine } from '../parse-options.js';
import { UsageError } from '../usage-error.js';
import { EXIT_DATA_ERROR, InputFileError, readJsonFile } from './read-json-file.js';
import type { RolloutGroup } from './rollout-types.js';
import {
  CONNECTION_HELP,
  CONNECTION_OPTIONS,
  dispatch,
  withApiClient,
  writeJson,
} from './run-operator-command.js';

const LIST_HELP = `Usage: afterpatch groups list [--json]

Lists the rollout groups: members (label selector and/or host ids), limit, windows, the groups
each depends on, protection. --json prints the API's group objects as one array.

${CONNECTION_HELP}
`;

const SHOW_HELP = `Usage: afterpatch groups show <name> [--json]

One group with every setting (docs/rollouts.md, Model). --json prints the API's group object,
which is also a valid file for \`groups apply\` once id and createdAt are removed.

${CONNECTION_HELP}
`;

const APPLY_HELP = `Usage: afterpatch groups apply -f FILE [--json]

Creates each group in FILE, or replaces the group of that name (operator; admin for a protected
group). FILE holds one group object or an array of them, applied in order (put a group before
those that depend on it); "-" reads stdin. Fields: name, selector, hostIds, limit, windows,
dependsOn, protected, healthChecks, holdSec, hooks, delayBetweenStepsSec (docs/rollouts.md).
The file is checked against the server's schema before anything is sent.

  -f, --file FILE     the group document (JSON)

Exit codes besides those below: 65 the file is not a valid group document (each problem with
its JSON path), 66 the file cannot be read.

${CONNECTION_HELP}
`;

const DELETE_HELP = `Usage: afterpatch groups delete <name>

Deletes a group (operator; admin for a protected group). Refused (409) while other groups
depend on it. Rollouts already created keep their snapshot of it.

${CONNECTION_HELP}
`;

const MAX_PROBLEMS = 20;
const validator = Compile(GroupBody);

async function listGroups(args: string[]): Promise<number> {
  const { values } = parseCommandLine(args, CONNECTION_OPTIONS, 0);
  if (values.help) {
    process.stdout.write(LIST_HELP);
    return 0;
  }
  return withApiClient(values, async (client) => {
    const groups = await fetchGroups(client);
    if (values.json) writeJson(groups);
    else if (groups.length === 0) process.stdout.write('no groups yet (afterpatch groups apply -f FILE)\n');
    else process.stdout.write(groupTable(groups));
    return 0;
  });
}

async function fetchGroups(client: ApiClient): Promise<RolloutGroup[]> {
  return (await client.get<{ items: RolloutGroup[] }>('/groups')).items;
}

export function groupTable(groups: readonly RolloutGroup[]): string {
  return formatTable(groups, [
    { header: 'NAME', value: (g) => g.name, maxWidth: 40 },
    { header: 'MEMBERS', value: membersOf, maxWidth: 50 },
    { header: 'LIMIT', value: (g) => limitOf(g.limit) },
    { header: 'WINDOWS', value: (g) => (g.windows.length === 0 ? 'any time' : windowsOf(g)), maxWidth: 50 },
    { header: 'DEPENDS ON', value: (g) => g.dependsOn.join(', ') || '-', maxWidth: 40 },
    { header: 'PROTECTED', value: (g) => (g.protected ? 'yes' : 'no') },
  ]);
}

function membersOf(g: RolloutGroup): string {
  const parts: string[] = [];
  if (g.selector && Object.keys(g.selector).length > 0) {
    parts.push(
      Object.entries(g.selector)
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
    );
  }
  if (g.hostIds.length > 0) parts.push(`${g.hostIds.length} host${g.hostIds.length === 1 ? '' : 's'}`);
  return parts.join(' + ') || '-';
}

export function limitOf(limit: RolloutGroup['limit']): string {
  const parts: string[] = [];
  if (limit.maxOut !== undefined) parts.push(`maxOut ${limit.maxOut}`);
  if (limit.maxOutPercent !== undefined) parts.push(`maxOut ${limit.maxOutPercent}%`);
  if (limit.minUp !== undefined) parts.push(`minUp ${limit.minUp}`);
  return parts.join(', ') || '-';
}

function windowsOf(g: RolloutGroup): string {
  return g.windows.map((w) => `${w.days.join(',')} ${w.start}-${w.end} ${w.timeZone}`).join('; ');
}

async function showGroup(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(args, CONNECTION_OPTIONS, 1);
  if (values.help) {
    process.stdout.write(SHOW_HELP);
    return 0;
  }
  const name = positionals[0];
  if (name === undefined) throw new UsageError('which group? give its name');
  return withApiClient(values, async (client) => {
    const group = await groupNamed(client, name);
    if (!group) return 1;
    if (values.json) writeJson(group);
    else process.stdout.write(describeGroup(group));
    return 0;
  });
}

/** The group with this exact name; undefined (after saying which exist) when none. */
async function groupNamed(client: ApiClient, name: string): Promise<RolloutGroup | undefined> {
  const groups = await fetchGroups(client);
  const group = groups.find((g) => g.name === name);
  if (!group) {
    const names = groups.map((g) => g.name).slice(0, 10);
    process.stderr.write(
      `afterpatch: no group named '${name}'${names.length > 0 ? ` (groups: ${names.join(', ')})` : ''}\n`,
    );
  }
  return group;
}

export function describeGroup(g: RolloutGroup): string {
  const facts: Array<[string, string]> = [
    ['id', g.id],
    ['members', membersOf(g)],
    ['limit', limitOf(g.limit)],
    ['windows', g.windows.length === 0 ? 'any time' : windowsOf(g)],
    ['depends on', g.dependsOn.join(', ') || '-'],
    ['protected', g.protected ? 'yes (an admin approves rollouts that touch it)' : 'no'],
    [
      'health checks',
      g.healthChecks.length === 0
        ? '-'
        : `${g.healthChecks.map((c) => JSON.stringify(c)).join('; ')} (held ${g.holdSec} s)`,
    ],
    ['hooks', g.hooks ? 'on' : 'off'],
    [
      'delay',
      g.delayBetweenStepsSec === null ? "the rollout's" : `${g.delayBetweenStepsSec} s between starts`,
    ],
  ];
  if (g.hostIds.length > 0) facts.push(['host ids', g.hostIds.join(', ')]);
  const width = Math.max(...facts.map(([k]) => k.length));
  return `${[g.name, ...facts.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)].join('\n')}\n`;
}

const APPLY_OPTIONS = { ...CONNECTION_OPTIONS, file: { type: 'string', short: 'f' } } as const;

async function applyGroups(args: string[]): Promise<number> {
  const { values } = parseCommandLine(args, APPLY_OPTIONS, 0);
  if (values.help) {
    process.stdout.write(APPLY_HELP);
    return 0;
  }
  if (values.file === undefined) throw new UsageError('-f FILE is required (the group document)');
  let document: unknown;
  try {
    document = await readJsonFile(values.file);
  } catch (err) {
    if (!(err instanceof InputFileError)) throw err;
    process.stderr.write(`afterpatch: ${err.message}\n`);
    return err.exitCode;
  }
  const bodies = Array.isArray(document) ? document : [document];
  const problems = validateGroups(bodies, Array.isArray(document));
  if (problems.length > 0) {
    process.stderr.write(`afterpatch: ${values.file} is not a valid group document:\n`);
    for (const p of problems) process.stderr.write(`  ${p}\n`);
    return EXIT_DATA_ERROR;
  }
  return withApiClient(values, async (client) => {
    const applied: RolloutGroup[] = [];
    for (const body of bodies as GroupBody[]) {
      // Looked up for each body: an earlier one in the same file may have created it.
      const existing = (await fetchGroups(client)).find((g) => g.name === body.name);
      const group = existing
        ? await client.put<RolloutGroup>(`/groups/${encodeURIComponent(existing.id)}`, body)
        : await client.post<RolloutGroup>('/groups', body);
      applied.push(group);
      if (!values.json) {
        process.stdout.write(`${existing ? 'replaced' : 'created'} group ${group.name} (${group.id})\n`);
      }
    }
    if (values.json) writeJson(Array.isArray(document) ? applied : applied[0]);
    return 0;
  });
}

/** Each problem with its JSON path (prefixed with the index when the file holds an array). */
export function validateGroups(bodies: readonly unknown[], isArray: boolean): string[] {
  const problems: string[] = [];
  if (bodies.length === 0) return ['/: no group in the file'];
  const names = new Set<string>();
  bodies.forEach((body, i) => {
    const prefix = isArray ? `/${i}` : '';
    if (!validator.Check(body)) {
      for (const error of validator.Errors(body)) {
        if (problems.length >= MAX_PROBLEMS) return;
        problems.push(`${prefix}${error.instancePath || '/'}: ${error.message}`);
      }
      return;
    }
    if (names.has(body.name)) problems.push(`${prefix}/name: '${body.name}' appears twice in the file`);
    names.add(body.name);
  });
  return problems;
}

async function deleteGroup(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(args, CONNECTION_OPTIONS, 1);
  if (values.help) {
    process.stdout.write(DELETE_HELP);
    return 0;
  }
  const name = positionals[0];
  if (name === undefined) throw new UsageError('which group? give its name');
  return withApiClient(values, async (client) => {
    const group = await groupNamed(client, name);
    if (!group) return 1;
    await client.delete(`/groups/${encodeURIComponent(group.id)}`);
    process.stdout.write(`deleted group ${group.name} (${group.id})\n`);
    return 0;
  });
}

export const groupsCommand: Command = {
  run: (args) =>
    dispatch(
      'groups',
      {
        list: { summary: 'list the rollout groups (--json)', run: listGroups },
        show: { summary: "one group's members, limit, windows, checks", run: showGroup },
        apply: { summary: 'create or replace groups from a JSON file (-f FILE)', run: applyGroups },
        delete: { summary: 'delete a group by name', run: deleteGroup },
      },
      args,
    ),
};
