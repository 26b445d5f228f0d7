// Whether a step took, PURE: from the agent's latest status, the host as the server knows it now
// (boot id and kernel from its hello, its latest stored report) and what was recorded at dispatch.
// A step succeeds only on evidence: for a reboot a NEW boot id and the expected kernel; a report
// received after dispatch in which the needs the step addressed are gone; health checks that
// stayed green for the hold time (the agent says so in its evidence). "waiting" means not yet
// decidable (e.g. the post-step report is not stored yet): the executor asks again on the next
// event, and the step's timeout ends the wait.
import type { StepStatusPayload } from '../../shared/agent-protocol.js';
import type { HostNeeds } from '../../shared/rollout-plan.js';
import type { ScanReport } from '../../shared/scan-report.js';
import type { StepForVerification } from './executor-state.js';
import { needsFromReport } from './planner/needs-from-report.js';

export interface HostNow {
  bootId: string | null;
  kernelRelease: string | null;
  reportSeq: bigint;
  report: ScanReport | null;
}

export interface Verification {
  verdict: 'succeeded' | 'failed' | 'waiting';
  reason: string;
  /** Each check with its outcome, recorded in the step's evidence and the audit event. */
  checks: Record<string, unknown>;
}

export function verifyStep(
  step: StepForVerification,
  status: StepStatusPayload,
  host: HostNow,
): Verification {
  const checks: Record<string, unknown> = {};
  if (status.state === 'failed' || status.state === 'refused') {
    return { verdict: 'failed', reason: `agent: ${status.state}: ${status.message}`, checks };
  }
  if (status.state !== 'succeeded') return { verdict: 'waiting', reason: `agent: ${status.state}`, checks };
  const evidence = status.evidence ?? {};

  if (step.action === 'reboot') {
    const bootAfter = evidence.bootIdAfter ?? host.bootId;
    checks.bootId = { atDispatch: step.bootIdAtDispatch, after: bootAfter };
    if (!bootAfter || !step.bootIdAtDispatch || bootAfter === step.bootIdAtDispatch) {
      return { verdict: 'failed', reason: 'reboot not proven: the boot id did not change', checks };
    }
    // Both must agree: the agent's word and what its hello after the reboot said.
    if (host.bootId && host.bootId === step.bootIdAtDispatch) {
      return { verdict: 'waiting', reason: 'the agent has not said hello from the new boot yet', checks };
    }
    const running = evidence.kernelRelease ?? host.kernelRelease;
    checks.kernel = { expected: step.expectedKernel, running };
    if (step.expectedKernel && running !== step.expectedKernel) {
      return {
        verdict: 'failed',
        reason: `running kernel ${running ?? 'unknown'} is not the expected ${step.expectedKernel}`,
        checks,
      };
    }
  }

  const seqAtDispatch = step.reportSeqAtDispatch ?? 0n;
  const wanted = evidence.reportSeq !== undefined ? BigInt(evidence.reportSeq) : seqAtDispatch + 1n;
  checks.report = {
    seqAtDispatch: String(seqAtDispatch),
    postStepSeq: String(wanted),
    stored: String(host.reportSeq),
  };
  if (wanted <= seqAtDispatch) {
    return { verdict: 'failed', reason: 'the post-step report is older than the dispatch', checks };
  }
  if (host.reportSeq < wanted || !host.report) {
    return { verdict: 'waiting', reason: 'waiting for the post-step report', checks };
  }
  const remaining = remainingNeeds(step.needs, needsFromReport(host.report));
  checks.remainingNeeds = remaining;
  if (remaining.length > 0) {
    return { verdict: 'failed', reason: `the fresh report still shows: ${remaining.join(', ')}`, checks };
  }

  const outcomes = evidence.healthChecks ?? [];
  checks.healthChecks = outcomes.map((o) => ({ what: o.what, ok: o.ok }));
  if (step.healthChecks.length > 0 && outcomes.length === 0) {
    return { verdict: 'failed', reason: 'the agent reported no health check results', checks };
  }
  const red = outcomes.find((o) => !o.ok);
  if (red) return { verdict: 'failed', reason: `health check failed: ${red.what}: ${red.detail}`, checks };
  return { verdict: 'succeeded', reason: 'verified', checks };
}

/** The needs the step addressed that the fresh report still shows. */
export function remainingNeeds(addressed: HostNeeds, after: HostNeeds): string[] {
  const left: string[] = [];
  if (addressed.reboot && after.reboot) left.push('reboot required');
  const units = new Set(after.units);
  for (const unit of addressed.units) if (units.has(unit)) left.push(`restart ${unit}`);
  const containers = new Set(after.containers.map((c) => `${c.runtime}/${c.id}`));
  for (const c of addressed.containers)
    if (containers.has(`${c.runtime}/${c.id}`)) left.push(`restart container ${c.id}`);
  if (addressed.reexecPid1 && after.reexecPid1) left.push('re-execute PID 1');
  return left;
}
