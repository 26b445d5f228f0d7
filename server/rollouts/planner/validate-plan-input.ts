// Checks a parsed JSON value against the PlanInput schema and says where it is wrong, each error
// with its JSON pointer, so a person can find it in a 10 MB fleet file. Used by `afterpatch plan`
// and by the server before it plans a rollout.
import { Compile } from 'typebox/compile';
import { PlanInput } from '../../../shared/rollout-plan.js';

export interface InputProblem {
  /** JSON pointer of the offending value, `/` for the document. */
  path: string;
  message: string;
}

const validator = Compile(PlanInput);

export function validatePlanInput(
  value: unknown,
  maxProblems = 20,
): { ok: true; input: PlanInput } | { ok: false; problems: InputProblem[] } {
  if (validator.Check(value)) return { ok: true, input: value };
  const problems: InputProblem[] = [];
  for (const error of validator.Errors(value)) {
    problems.push({ path: error.instancePath || '/', message: error.message });
    if (problems.length >= maxProblems) break;
  }
  return { ok: false, problems };
}
