// The command-line flags of `rollout preview` and `rollout create`, turned into the API's rollout
// options (shared/api/rollout-options.ts): the same body for both, so a preview shows exactly
// what creating would plan. Hosts may be given by hostname; they are resolved to ids here.
import { RolloutOptions } from '../../shared/api/rollout-options.js';
import type { ApiClient } from '../api/api-client.js';
import { UsageError } from '../usage-error.js';
import { idOfHostname, UUID } from './hosts-command.js';

export const SCOPE_OPTIONS = {
  name: { type: 'string' },
  group: { type: 'string', short: 'g', multiple: true },
  host: { type: 'string', multiple: true },
  exclude: { type: 'string', multiple: true },
  pin: { type: 'string', multiple: true },
  'start-at': { type: 'string' },
  deadline: { type: 'string' },
  'no-reboot': { type: 'boolean' },
  'delay-between-steps': { type: 'string' },
  'step-timeout': { type: 'string' },
  'max-parallel': { type: 'string' },
  'failure-budget': { type: 'string' },
} as const;

export const SCOPE_HELP = `Scope and options (the API's rollout options, docs/rollouts.md):
  -g, --group NAME            only members of this group (repeat for several)
  --host HOST                 only this host, by hostname or id (repeat; with --group: both)
  --exclude HOST              never touch this host (repeat; it still counts for its groups)
  --pin HOST@ISO[@REASON]     do not touch HOST before ISO (repeat)
  --start-at ISO              start no earlier (default: as soon as approved)
  --deadline ISO              say whether the plan finishes by then
  --no-reboot                 leave out hosts that need a reboot
  --delay-between-steps SEC   between two step starts in a group without its own delay (default 0)
  --step-timeout SEC          the agent gives up on a step after this long (default 1800)
  --max-parallel N            at most N hosts of this rollout out at once (default 1)
  --failure-budget N          failed steps tolerated; one more halts the rollout (default 0)`;

type ScopeValues = {
  name?: string | undefined;
  group?: string[] | undefined;
  host?: string[] | undefined;
  exclude?: string[] | undefined;
  pin?: string[] | undefined;
  'start-at'?: string | undefined;
  deadline?: string | undefined;
  'no-reboot'?: boolean | undefined;
  'delay-between-steps'?: string | undefined;
  'step-timeout'?: string | undefined;
  'max-parallel'?: string | undefined;
  'failure-budget'?: string | undefined;
};

/** The whole-number flags, with their bounds taken from the API's schema (so both always agree). */
const NUMBER_FLAGS = (
  [
    ['delayBetweenStepsSec', 'delay-between-steps'],
    ['stepTimeoutSec', 'step-timeout'],
    ['maxParallel', 'max-parallel'],
    ['failureBudget', 'failure-budget'],
  ] as const
).map(([key, flag]) => {
  // Optional() marks the integer schema itself, so its bounds are on it.
  const { minimum, maximum } = RolloutOptions.properties[key] as unknown as {
    minimum: number;
    maximum: number;
  };
  return { key, flag, min: minimum, max: maximum };
});

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** Checks what needs no server; call before connecting so usage errors come first (exit 64). */
export function checkScopeFlags(values: ScopeValues): void {
  for (const flag of ['start-at', 'deadline'] as const) isoTime(`--${flag}`, values[flag]);
  for (const pin of values.pin ?? []) parsePin(pin);
  for (const { flag, min, max } of NUMBER_FLAGS) wholeNumber(`--${flag}`, values[flag], min, max);
}

/**
 * The rollout options body. Undefined (after saying which) when a hostname matches no host or
 * several.
 */
export async function rolloutOptionsFrom(
  values: ScopeValues,
  defaultName: string,
  client: ApiClient,
): Promise<RolloutOptions | undefined> {
  const resolve = async (hosts: string[] | undefined): Promise<string[] | undefined | null> => {
    if (hosts === undefined) return undefined;
    const ids: string[] = [];
    for (const host of hosts) {
      const id = UUID.test(host) ? host : await idOfHostname(client, host);
      if (id === undefined) return null;
      ids.push(id);
    }
    return ids;
  };
  const hosts = await resolve(values.host);
  const exclude = await resolve(values.exclude);
  const pins: Array<{ hostId: string; until: string; reason?: string }> = [];
  for (const text of values.pin ?? []) {
    const pin = parsePin(text);
    const [hostId] = (await resolve([pin.host])) ?? [];
    if (hostId === undefined) return undefined;
    pins.push({ hostId, until: pin.until, ...(pin.reason ? { reason: pin.reason } : {}) });
  }
  if (hosts === null || exclude === null) return undefined;
  const body: RolloutOptions = { name: values.name ?? defaultName };
  if (values.group) body.groups = values.group;
  if (hosts) body.hosts = hosts;
  if (exclude) body.exclude = exclude;
  if (pins.length > 0) body.pins = pins;
  if (values['start-at']) body.startAt = isoTime('--start-at', values['start-at']);
  if (values.deadline) body.deadline = isoTime('--deadline', values.deadline);
  if (values['no-reboot']) body.allowReboot = false;
  for (const { key, flag, min, max } of NUMBER_FLAGS) {
    const value = wholeNumber(`--${flag}`, values[flag], min, max);
    if (value !== undefined) body[key] = value;
  }
  return body;
}

function parsePin(text: string): { host: string; until: string; reason: string | undefined } {
  const [host, until, ...reason] = text.split('@');
  if (!host || !until) throw new UsageError(`--pin takes HOST@ISO[@REASON], not '${text}'`);
  return { host, until: isoTime('--pin', until)!, reason: reason.join('@') || undefined };
}

/** `--failure-budget N` of `rollout resume`, checked like the one of `rollout create`. */
export function failureBudgetFlag(text: string | undefined): number | undefined {
  const { flag, min, max } = NUMBER_FLAGS.find((f) => f.key === 'failureBudget')!;
  return wholeNumber(`--${flag}`, text, min, max);
}

function isoTime(flag: string, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (!ISO_DATE_TIME.test(text) || Number.isNaN(Date.parse(text))) {
    throw new UsageError(`${flag} takes an ISO date-time such as 2025-03-29T22:00:00Z, not '${text}'`);
  }
  return new Date(text).toISOString();
}

function wholeNumber(flag: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new UsageError(`${flag} takes a whole number between ${min} and ${max}, not '${text}'`);
  }
  return value;
}
