// Rollouts as text: the list table, and `rollout show` (facts, step counts, then each step with
// its state and what explains it: the evidence of a finished step, the failure reason, or why a
// pending step waits).
import { duration } from '../../server/rollouts/planner/format-plan-summary.js';
import { ago, formatTable } from '../api/format-table.js';
import type { RolloutDetail, RolloutStep, RolloutSummary } from './rollout-types.js';

export function rolloutTable(rollouts: readonly RolloutSummary[], now = Date.now()): string {
  return formatTable(rollouts, [
    { header: 'ID', value: (r) => r.id },
    { header: 'NAME', value: (r) => r.name, maxWidth: 40 },
    { header: 'STATE', value: (r) => r.state },
    { header: 'STEPS', value: (r) => stepCounts(r), maxWidth: 60 },
    { header: 'FAILURES', value: (r) => `${r.failures}/${r.failureBudget}`, right: true },
    { header: 'CREATED', value: (r) => ago(r.createdAt, now) },
    { header: 'BY', value: (r) => r.createdBy ?? '-', maxWidth: 24 },
  ]);
}

/** "6 steps: 4 succeeded, 1 dispatched, 1 pending", in lifecycle order. */
export function stepCounts(r: Pick<RolloutSummary, 'counts'>): string {
  const order = ['succeeded', 'failed', 'dispatched', 'pending', 'skipped'];
  const entries = Object.entries(r.counts).sort(
    ([a], [b]) => rank(order, a) - rank(order, b) || a.localeCompare(b),
  );
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  if (total === 0) return 'no steps';
  return `${total}: ${entries.map(([state, n]) => `${n} ${state}`).join(', ')}`;
}

function rank(order: readonly string[], state: string): number {
  const i = order.indexOf(state);
  return i === -1 ? order.length : i;
}

export function describeRollout(r: RolloutDetail, now = Date.now()): string {
  const facts: Array<[string, string]> = [
    ['id', r.id],
    ['state', r.state + (r.haltReason ? ` (${r.haltReason})` : '')],
    ['steps', stepCounts(r)],
    ['failures', `${r.failures} (budget ${r.failureBudget})`],
    ['created', `${r.createdAt} by ${r.createdBy ?? '-'}`],
    [
      'approval',
      r.approvedAt
        ? `${r.approvedAt} by ${r.approvedBy ?? '-'}${r.approvalExpiresAt && !r.startedAt ? `, expires ${r.approvalExpiresAt}` : ''}`
        : r.requiresAdmin
          ? 'not yet (an admin must approve: a protected group is touched)'
          : 'not yet (operator)',
    ],
    ['started', r.startedAt ?? '-'],
    ['finished', r.finishedAt ? `${r.finishedAt} (${ago(r.finishedAt, now)})` : '-'],
  ];
  const summary = r.plan.summary;
  if (summary && summary.steps > 0) {
    facts.push(['planned', `finish ${summary.finishAt} (${duration(summary.durationSec)})`]);
  }
  const width = Math.max(...facts.map(([k]) => k.length));
  const head = [`${r.name}`, ...facts.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)].join('\n');
  if (r.steps.length === 0) return `${head}\n\nNo steps: nothing in scope needs a restart or reboot.\n`;
  const table = formatTable(r.steps, [
    { header: '#', value: (s) => String(s.position), right: true },
    { header: 'HOST', value: (s) => s.hostname, maxWidth: 40 },
    { header: 'ACTION', value: (s) => s.action },
    { header: 'STATE', value: (s) => s.state },
    { header: 'GROUPS', value: (s) => s.groups.join(',') || '-', maxWidth: 40 },
    { header: 'WHY', value: stepExplanation, maxWidth: 120 },
  ]);
  return `${head}\n\n${table}`;
}

/** What a person wants to know about a step in one cell. */
export function stepExplanation(s: RolloutStep): string {
  switch (s.state) {
    case 'pending':
      if (!s.hold) return 'next when the executor gets to it';
      return `waits: ${s.hold.kind}${s.hold.group ? ` (${s.hold.group})` : ''}: ${s.hold.detail}${s.hold.until ? ` until ${s.hold.until}` : ''}`;
    case 'dispatched':
      return `agent: ${s.agentState ?? 'sent'}${s.agentMessage ? `: ${s.agentMessage}` : ''}`;
    case 'failed':
      return s.failureReason ?? s.agentMessage ?? 'failed';
    case 'succeeded':
      return evidenceSummary(s.evidence);
    default:
      return s.failureReason ?? '-';
  }
}

/** The verdict and the checks it rests on: post-step report, boot id, health checks. */
export function evidenceSummary(evidence: Record<string, unknown>): string {
  const parts: string[] = [];
  if (typeof evidence.verdict === 'string') parts.push(evidence.verdict);
  const agent = (evidence.agent ?? {}) as {
    reportSeq?: number;
    bootIdBefore?: string;
    bootIdAfter?: string;
    healthChecks?: Array<{ ok?: boolean }>;
  };
  if (agent.reportSeq !== undefined) parts.push(`report #${agent.reportSeq}`);
  if (agent.bootIdAfter !== undefined)
    parts.push(`boot ${agent.bootIdBefore ?? '?'} -> ${agent.bootIdAfter}`);
  const checks = agent.healthChecks ?? [];
  if (checks.length > 0) parts.push(`checks ${checks.filter((c) => c.ok).length}/${checks.length} green`);
  return parts.join('; ') || 'verified';
}
