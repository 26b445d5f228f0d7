// The text `afterpatch plan` prints without --json: what a person checks before approving a
// rollout. When it ends, whether it fits the deadline, what each group goes through, which hosts
// are left out and why, and the hosts that wait longest with their reasons.
import type { Plan } from '../../../shared/rollout-plan.js';
import { compareNames } from './group-membership.js';

const LONGEST_WAITS = 5;
const UNSCHEDULED_SHOWN = 10;

export function formatPlanSummary(plan: Plan): string {
  const { summary } = plan;
  const startMs = Date.parse(plan.start);
  const lines: string[] = [];
  lines.push(
    `Plan from ${short(plan.start)}: ${summary.steps} steps for ${summary.hosts} hosts ` +
      `(${summary.reboots} reboots, ${summary.restarts} restarts).`,
  );
  if (summary.steps > 0) {
    lines.push(
      `First step ${short(summary.startAt)}, finished ${short(summary.finishAt)}: ${duration(summary.durationSec)} ` +
        `after the start (no valid plan finishes before ${duration(summary.lowerBoundSec)}).`,
    );
  }
  if (summary.deadline !== undefined) {
    const lateSec = (Date.parse(summary.finishAt) - Date.parse(summary.deadline)) / 1000;
    lines.push(
      summary.fitsDeadline
        ? `Fits the deadline ${short(summary.deadline)} (${duration(-lateSec)} to spare).`
        : `Does NOT fit the deadline ${short(summary.deadline)}: finishes ${duration(lateSec)} late.`,
    );
  }

  const perGroup = new Map<string, { steps: number; reboots: number; first: string; last: string }>();
  for (const step of plan.steps) {
    for (const name of step.groups.length > 0 ? step.groups : ['(no group)']) {
      const g = perGroup.get(name) ?? {
        steps: 0,
        reboots: 0,
        first: step.plannedStart,
        last: step.plannedEnd,
      };
      g.steps++;
      if (step.action === 'reboot') g.reboots++;
      if (step.plannedStart < g.first) g.first = step.plannedStart;
      if (step.plannedEnd > g.last) g.last = step.plannedEnd;
      perGroup.set(name, g);
    }
  }
  if (perGroup.size > 0) {
    lines.push('', 'Steps per group:');
    const names = [...perGroup.keys()].sort(compareNames);
    const width = Math.min(40, Math.max(...names.map((n) => n.length)));
    for (const name of names) {
      const g = perGroup.get(name)!;
      lines.push(
        `  ${name.padEnd(width)}  ${String(g.steps).padStart(6)} steps (${g.reboots} ${g.reboots === 1 ? 'reboot' : 'reboots'})  ${short(g.first)} -> ${short(g.last)}`,
      );
    }
  }

  if (plan.unscheduled.length > 0) {
    const counts = new Map<string, number>();
    for (const u of plan.unscheduled) counts.set(u.reason, (counts.get(u.reason) ?? 0) + 1);
    lines.push(
      '',
      `Not planned: ${plan.unscheduled.length} (${[...counts].map(([r, n]) => `${r} ${n}`).join(', ')})`,
    );
    const shown = [...plan.unscheduled]
      .sort((a, b) => rank(a.reason) - rank(b.reason))
      .filter((u) => u.reason !== 'nothing-to-do')
      .slice(0, UNSCHEDULED_SHOWN);
    for (const u of shown) lines.push(`  ${u.hostname ?? u.hostId}: ${u.reason}: ${u.detail}`);
    if (plan.unscheduled.length > shown.length)
      lines.push(`  … and ${plan.unscheduled.length - shown.length} more (--json lists all)`);
  }

  const waiting = plan.steps
    .map((s) => ({ step: s, waitSec: (Date.parse(s.plannedStart) - startMs) / 1000 }))
    .filter((w) => w.waitSec > 0 && w.step.waits.length > 0)
    .sort((a, b) => b.waitSec - a.waitSec || a.step.order - b.step.order)
    .slice(0, LONGEST_WAITS);
  if (waiting.length > 0) {
    lines.push('', 'Longest waits:');
    for (const { step, waitSec } of waiting) {
      lines.push(
        `  ${step.hostname ?? step.hostId} starts ${short(step.plannedStart)}, ${duration(waitSec)} after the start:`,
      );
      for (const w of step.waits) lines.push(`    until ${short(w.until)}  ${w.kind}: ${w.detail}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Blocked first: those need a person. */
function rank(reason: string): number {
  return ['blocked', 'offline', 'reboot-not-allowed', 'pinned', 'excluded', 'nothing-to-do'].indexOf(reason);
}

function short(isoTime: string): string {
  return isoTime.replace(/(:00)?(\.000)?Z$/, 'Z');
}

/** 90 -> "1 min 30 s", 7260 -> "2 h 1 min", 200000 -> "2 d 7 h". */
export function duration(totalSec: number): string {
  const sec = Math.max(0, Math.round(totalSec));
  const d = Math.floor(sec / 86_400);
  const h = Math.floor((sec % 86_400) / 3600);
  const m = Math.floor((sec % 3600) / 60);
  const s = sec % 60;
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return s > 0 ? `${m} min ${s} s` : `${m} min`;
  return `${s} s`;
}
