// `afterpatch rollout …`: preview, create, list, show, approve, pause, resume, cancel and follow
// rollouts through the REST API (docs/rollouts.md). The preview prints the same summary as the
// offline `afterpatch plan` (server/rollouts/planner/format-plan-summary.ts), not a second one.
import { formatPlanSummary } from '../../server/rollouts/planner/format-plan-summary.js';
import type { Command } from '../main.js';
import { parseCommandLine } from '../parse-options.js';
import { UsageError } from '../usage-error.js';
import { describeRollout, rolloutTable } from './describe-rollout.js';
import { followRollout } from './follow-rollout.js';
import {
  checkScopeFlags,
  failureBudgetFlag,
  rolloutOptionsFrom,
  SCOPE_HELP,
  SCOPE_OPTIONS,
} from './rollout-flags.js';
import {
  ROLLOUT_STATES,
  type RolloutDetail,
  type RolloutPreview,
  type RolloutState,
  type RolloutSummary,
} from './rollout-types.js';
import {
  CONNECTION_HELP,
  CONNECTION_OPTIONS,
  dispatch,
  withApiClient,
  writeJson,
} from './run-operator-command.js';

const FOLLOW_EXIT_CODES = `Exit codes with --follow: 0 the rollout completed, 1 it halted or was cancelled,
130 interrupted (the rollout goes on).`;

const PREVIEW_HELP = `Usage: afterpatch rollout preview [scope and options] [--json]

The plan the server would make for a rollout with these options, against the fleet as it is
now (viewer; nothing is stored): steps per group, when it finishes, whether it fits the
deadline, hosts left out and why, the longest waits and their reasons. The same summary as
\`afterpatch plan\`. --json prints the API's answer: { requiresAdmin, plan }.

${SCOPE_HELP}

${CONNECTION_HELP}
`;

const CREATE_HELP = `Usage: afterpatch rollout create [--name NAME] [scope and options] [--json]

Creates a rollout (operator): the plan is made now, one step per host, and the rollout waits
for approval (\`afterpatch rollout approve ID\`). Prints its id and state.

  --name NAME                 what it is called (default: "rollout <date>")

${SCOPE_HELP}

${CONNECTION_HELP}
`;

const LIST_HELP = `Usage: afterpatch rollout list [--state STATE] [--limit N] [--json]

The newest rollouts first, with their step counts and failures.

  --state STATE   ${ROLLOUT_STATES.join(' | ')}
  --limit N       at most N (default 50, at most 200)

${CONNECTION_HELP}
`;

const SHOW_HELP = `Usage: afterpatch rollout show <id> [--json]

One rollout: its state, approval, failures, and each step with its state and why: the evidence
of a verified step, the reason a step failed, or what a pending step waits for (a group's
limit, a window, a dependency, an offline host…). --json prints the API's rollout object.

${CONNECTION_HELP}
`;

const actionHelp = (verb: string, what: string, option?: { usage: string; line: string }): string =>
  `Usage: afterpatch rollout ${verb} <id>${option ? ` ${option.usage}` : ''} [--json]

${what}
${option ? `\n${option.line}\n` : ''}
${CONNECTION_HELP}
`;

const APPROVE_HELP = `Usage: afterpatch rollout approve <id> [--follow] [--json]

Approves a rollout (operator; admin when it touches a protected group). It starts at once, or
at its start time. The approval expires if it has not started by then (server setting).

  -f, --follow    then follow it as \`rollout follow\` does

${FOLLOW_EXIT_CODES}

${CONNECTION_HELP}
`;

const FOLLOW_HELP = `Usage: afterpatch rollout follow <id> [--json]

Follows a rollout live from the server's event stream until it is over: on a terminal one
progress line redrawn in place (done/total, in flight, failed, ETA) with failures printed above
it; otherwise (or with --json, as JSON lines) one line per step or rollout change. Ends with a
summary. Reconnects by itself when the stream drops, and re-reads the rollout then.

${FOLLOW_EXIT_CODES}

${CONNECTION_HELP}
`;

const PREVIEW_OPTIONS = { ...CONNECTION_OPTIONS, ...SCOPE_OPTIONS } as const;

async function preview(args: string[]): Promise<number> {
  const { values } = parseCommandLine(args, PREVIEW_OPTIONS, 0);
  if (values.help) {
    process.stdout.write(PREVIEW_HELP);
    return 0;
  }
  checkScopeFlags(values);
  return withApiClient(values, async (client) => {
    const body = await rolloutOptionsFrom(values, 'preview', client);
    if (!body) return 1;
    const answer = await client.post<RolloutPreview>('/rollouts/preview', body);
    if (values.json) {
      writeJson(answer);
      return 0;
    }
    process.stdout.write(formatPlanSummary(answer.plan));
    if (answer.requiresAdmin) {
      process.stdout.write('\nA protected group is touched: an admin must approve this rollout.\n');
    }
    return 0;
  });
}

async function create(args: string[]): Promise<number> {
  const { values } = parseCommandLine(args, PREVIEW_OPTIONS, 0);
  if (values.help) {
    process.stdout.write(CREATE_HELP);
    return 0;
  }
  checkScopeFlags(values);
  return withApiClient(values, async (client) => {
    const body = await rolloutOptionsFrom(values, `rollout ${new Date().toISOString()}`, client);
    if (!body) return 1;
    const rollout = await client.post<RolloutDetail>('/rollouts', body);
    if (values.json) {
      writeJson(rollout);
      return 0;
    }
    process.stdout.write(
      `${rollout.id} ${rollout.state}: ${rollout.name}, ${rollout.steps.length} steps` +
        `${rollout.requiresAdmin ? ' (an admin must approve: a protected group is touched)' : ''}\n` +
        `Review: afterpatch rollout show ${rollout.id}\nApprove: afterpatch rollout approve ${rollout.id}\n`,
    );
    return 0;
  });
}

const LIST_OPTIONS = { ...CONNECTION_OPTIONS, state: { type: 'string' }, limit: { type: 'string' } } as const;

async function list(args: string[]): Promise<number> {
  const { values } = parseCommandLine(args, LIST_OPTIONS, 0);
  if (values.help) {
    process.stdout.write(LIST_HELP);
    return 0;
  }
  if (values.state !== undefined && !ROLLOUT_STATES.includes(values.state as RolloutState)) {
    throw new UsageError(`--state must be one of ${ROLLOUT_STATES.join(', ')}, not '${values.state}'`);
  }
  const limit = values.limit;
  if (limit !== undefined && (!/^\d+$/.test(limit) || Number(limit) < 1 || Number(limit) > 200)) {
    throw new UsageError(`--limit takes a whole number between 1 and 200, not '${limit}'`);
  }
  return withApiClient(values, async (client) => {
    const { items } = await client.get<{ items: RolloutSummary[] }>('/rollouts', {
      state: values.state,
      limit,
    });
    if (values.json) writeJson(items);
    else if (items.length === 0) process.stdout.write('no rollouts match\n');
    else process.stdout.write(rolloutTable(items));
    return 0;
  });
}

function rolloutId(positionals: string[]): string {
  const id = positionals[0];
  if (id === undefined) throw new UsageError('which rollout? give its id (afterpatch rollout list)');
  return id;
}

async function show(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(args, CONNECTION_OPTIONS, 1);
  if (values.help) {
    process.stdout.write(SHOW_HELP);
    return 0;
  }
  const id = rolloutId(positionals);
  return withApiClient(values, async (client) => {
    const rollout = await client.get<RolloutDetail>(`/rollouts/${encodeURIComponent(id)}`);
    if (values.json) writeJson(rollout);
    else process.stdout.write(describeRollout(rollout));
    return 0;
  });
}

/** approve, pause, resume, cancel: POST /rollouts/:id/<verb>, then one line with the new state. */
function transition(
  verb: 'approve' | 'pause' | 'resume' | 'cancel',
  help: string,
  extra: { option?: 'note' | 'reason'; follow?: boolean; budget?: boolean } = {},
) {
  const options = {
    ...CONNECTION_OPTIONS,
    ...(extra.option ? { [extra.option]: { type: 'string' } } : {}),
    ...(extra.follow ? { follow: { type: 'boolean', short: 'f' } } : {}),
    ...(extra.budget ? { 'failure-budget': { type: 'string' } } : {}),
  } as typeof CONNECTION_OPTIONS & {
    note?: { type: 'string' };
    reason?: { type: 'string' };
    follow?: { type: 'boolean'; short: 'f' };
    'failure-budget'?: { type: 'string' };
  };
  return async (args: string[]): Promise<number> => {
    const { values, positionals } = parseCommandLine(args, options, 1);
    if (values.help) {
      process.stdout.write(help);
      return 0;
    }
    const id = rolloutId(positionals);
    const text = extra.option ? (values as Record<string, unknown>)[extra.option] : undefined;
    // Checked before connecting, so a usage error comes first (exit 64).
    const failureBudget = failureBudgetFlag((values as { 'failure-budget'?: string })['failure-budget']);
    return withApiClient(values, async (client) => {
      const rollout = await client.post<RolloutDetail>(`/rollouts/${encodeURIComponent(id)}/${verb}`, {
        ...(text === undefined ? {} : { [extra.option!]: text }),
        ...(failureBudget === undefined ? {} : { failureBudget }),
      });
      if (values.json && !(values as { follow?: boolean }).follow) {
        writeJson(rollout);
        return 0;
      }
      if (!values.json) {
        process.stdout.write(
          `${rollout.id} ${rollout.state}${rollout.haltReason ? ` (${rollout.haltReason})` : ''}: ${rollout.name}\n`,
        );
      }
      if (!(values as { follow?: boolean }).follow) return 0;
      return followRollout(client, rollout.id, { json: values.json ?? false, tty: isTty() });
    });
  };
}

async function follow(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(args, CONNECTION_OPTIONS, 1);
  if (values.help) {
    process.stdout.write(FOLLOW_HELP);
    return 0;
  }
  const id = rolloutId(positionals);
  return withApiClient(values, (client) =>
    followRollout(client, id, { json: values.json ?? false, tty: isTty() }),
  );
}

function isTty(): boolean {
  return process.stdout.isTTY === true && process.env.TERM !== 'dumb';
}

export const rolloutCommand: Command = {
  run: (args) =>
    dispatch(
      'rollout',
      {
        preview: {
          summary: 'the plan for these options, nothing stored (same words as `plan`)',
          run: preview,
        },
        create: { summary: 'create a rollout; it waits for approval', run: create },
        list: { summary: 'the newest rollouts (--state)', run: list },
        show: { summary: 'one rollout: steps, states, evidence, why pending steps wait', run: show },
        approve: {
          summary: 'approve (admin for protected groups); --follow to watch it',
          run: transition('approve', APPROVE_HELP, { follow: true }),
        },
        pause: {
          summary: 'stop dispatching new steps',
          run: transition(
            'pause',
            actionHelp('pause', 'Pauses a running rollout (operator): no new steps; those in flight finish.'),
          ),
        },
        resume: {
          summary: 'dispatch again (a halted one needs --note)',
          run: transition(
            'resume',
            actionHelp(
              'resume',
              'Resumes a paused rollout, or a halted one after the failures were looked into (operator).',
              {
                usage: '[--note TEXT] [--failure-budget N]',
                line:
                  '  --note TEXT           what was found (required for a halted rollout; kept in the audit log)\n' +
                  '  --failure-budget N    a new failure budget, at least the failures so far (audited)',
              },
            ),
            { option: 'note', budget: true },
          ),
        },
        cancel: {
          summary: 'skip the pending steps (in-flight ones are tracked)',
          run: transition(
            'cancel',
            actionHelp(
              'cancel',
              'Cancels a rollout (operator): pending steps are skipped, steps in flight are still tracked.',
              {
                usage: '[--reason TEXT]',
                line: '  --reason TEXT   why (kept with the rollout and in the audit log)',
              },
            ),
            { option: 'reason' },
          ),
        },
        follow: { summary: 'live progress until it completes (exit 0) or halts (exit 1)', run: follow },
      },
      args,
    ),
};
