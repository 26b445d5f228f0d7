// `afterpatch plan --input fleet.json`: plans a rollout offline, from a fleet document, and prints
// a readable summary or (--json) the Plan document. No server, no database: the same planner the
// server runs. Exit codes (docs/plan.md): 0 a plan was made (also when it misses the deadline),
// 64 bad command line, 65 the input is not a valid plan input, 66 the input cannot be read.
import { readFile, stat } from 'node:fs/promises';
import type { Command } from '../../cli/main.js';
import { parseOptions } from '../../cli/parse-options.js';
import { UsageError } from '../../cli/usage-error.js';
import type { PlanInput } from '../../shared/rollout-plan.js';
import { formatPlanSummary } from '../rollouts/planner/format-plan-summary.js';
import { PlanInputError } from '../rollouts/planner/plan-input-error.js';
import { planRollout } from '../rollouts/planner/plan-rollout.js';
import { DEFAULT_HORIZON_DAYS } from '../rollouts/planner/prepare-fleet.js';
import { validatePlanInput } from '../rollouts/planner/validate-plan-input.js';

export const PLAN_HELP = `Usage: afterpatch plan --input FILE [options]

Plans a rolling restart/reboot of a fleet described in FILE (docs/plan.md): one step per host,
within every group's limit, window and dependencies, and explains why each step waits.

Options:
  --input FILE        the fleet document (JSON, see docs/plan.md and docs/examples/fleet.json)
  --json              print the Plan document instead of the summary
  --start ISO         plan from this instant instead of the document's "start"
  --deadline ISO      report whether the plan finishes by then (overrides "deadline")
  --horizon-days N    place no step later than N days after the start (default ${DEFAULT_HORIZON_DAYS})

Exit codes: 0 a plan was made (also when it does not fit the deadline: the summary says so),
64 bad command line, 65 the input is not valid (each problem printed with its JSON path),
66 the input file cannot be read.
`;

export const EXIT_DATA_ERROR = 65;
export const EXIT_NO_INPUT = 66;
/** Far above a 100,000-host fleet document; refuses to read an accidental disk image. */
const MAX_INPUT_BYTES = 256 * 1024 * 1024;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

const OPTIONS = {
  input: { type: 'string', short: 'i' },
  json: { type: 'boolean' },
  start: { type: 'string' },
  deadline: { type: 'string' },
  'horizon-days': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const planCommand: Command = {
  async run(args) {
    const values = parseOptions(args, OPTIONS);
    if (values.help) {
      process.stdout.write(PLAN_HELP);
      return 0;
    }
    if (!values.input) throw new UsageError('--input FILE is required');
    for (const name of ['start', 'deadline'] as const) {
      const value = values[name];
      if (value !== undefined && (!ISO_DATE_TIME.test(value) || Number.isNaN(Date.parse(value)))) {
        throw new UsageError(
          `--${name} must be an ISO date-time such as 2025-03-29T22:00:00Z, not '${value}'`,
        );
      }
    }
    let horizonDays: number | undefined;
    if (values['horizon-days'] !== undefined) {
      horizonDays = Number(values['horizon-days']);
      if (!Number.isInteger(horizonDays) || horizonDays < 1 || horizonDays > 3660) {
        throw new UsageError(`--horizon-days must be a whole number of days from 1 to 3660`);
      }
    }

    let text: string;
    try {
      const info = await stat(values.input);
      if (info.size > MAX_INPUT_BYTES) {
        process.stderr.write(`afterpatch plan: ${values.input}: larger than ${MAX_INPUT_BYTES} bytes\n`);
        return EXIT_NO_INPUT;
      }
      text = await readFile(values.input, 'utf8');
    } catch (err) {
      process.stderr.write(`afterpatch plan: cannot read ${values.input}: ${(err as Error).message}\n`);
      return EXIT_NO_INPUT;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      process.stderr.write(`afterpatch plan: ${values.input} is not valid JSON: ${(err as Error).message}\n`);
      return EXIT_DATA_ERROR;
    }
    const checked = validatePlanInput(value);
    if (!checked.ok) {
      process.stderr.write(`afterpatch plan: ${values.input} is not a valid plan input:\n`);
      for (const p of checked.problems) process.stderr.write(`  ${p.path}: ${p.message}\n`);
      return EXIT_DATA_ERROR;
    }
    const input: PlanInput = { ...checked.input };
    if (values.start !== undefined) input.start = values.start;
    if (values.deadline !== undefined) input.deadline = values.deadline;

    let plan: ReturnType<typeof planRollout>;
    try {
      plan = planRollout(input, horizonDays === undefined ? {} : { horizonDays });
    } catch (err) {
      if (!(err instanceof PlanInputError)) throw err;
      process.stderr.write(
        `afterpatch plan: ${values.input} cannot be planned:\n  ${err.path}: ${err.message}\n`,
      );
      return EXIT_DATA_ERROR;
    }
    process.stdout.write(values.json ? `${JSON.stringify(plan, null, 2)}\n` : formatPlanSummary(plan));
    return 0;
  },
};
