// The plan as a timeline (a hand-made SVG Gantt chart): one row per host, grouped by its group;
// a bar from planned start to planned end, coloured by action (restart / reboot); the group's
// maintenance windows shaded behind its rows. Hovering or focusing a bar (Tab reaches each one)
// says why the step waited. With `steps` (a running rollout) each row also gets the actual bar,
// from dispatch to the result, coloured by the step's state. The same facts are in a table
// under "Plan as a list" for screen readers and for copying.
import { useState } from 'preact/hooks';
import { exact } from '../format.js';
import type { Plan, PlannedStep, RolloutGroup, RolloutStep } from './types.js';
import { durationText } from './types.js';
import { windowSpans } from './window-spans.js';

const IMPLICIT = '(rollout)';
const WIDTH = 960;
const LABEL_W = 170;
const ROW_H = 24;
const HEAD_H = 20;
const AXIS_H = 22;

/** The group a host is drawn under: its first real group, else the rollout's implicit one. */
function rowGroup(step: PlannedStep): string {
  return step.groups.find((g) => g !== IMPLICIT) ?? (step.groups.length ? IMPLICIT : 'no group');
}

function clock(ms: number, span: number): string {
  const d = new Date(ms);
  return span > 86_400_000
    ? d.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' })
    : d.toLocaleTimeString(undefined, {
        hour: '2-digit',
        minute: '2-digit',
        second: span < 600_000 ? '2-digit' : undefined,
      });
}

export function waitText(step: PlannedStep): string {
  if (step.waits.length === 0) return 'did not wait: planned as early as possible';
  return step.waits.map((w) => `${w.detail} (until ${exact(w.until)})`).join('; ');
}

export function PlanTimeline({
  plan,
  groups,
  steps,
  now,
}: {
  plan: Plan;
  groups: RolloutGroup[];
  steps?: RolloutStep[];
  now?: number;
}) {
  const [selected, setSelected] = useState<string>();
  if (plan.steps.length === 0) return <p class="muted">Nothing to schedule.</p>;
  const actual = new Map((steps ?? []).map((s) => [s.hostId, s]));
  const sections = new Map<string, PlannedStep[]>();
  for (const s of [...plan.steps].sort((a, b) => a.order - b.order)) {
    const name = rowGroup(s);
    sections.set(name, [...(sections.get(name) ?? []), s]);
  }
  const times = plan.steps.flatMap((s) => [Date.parse(s.plannedStart), Date.parse(s.plannedEnd)]);
  for (const s of actual.values()) {
    if (s.dispatchedAt) times.push(Date.parse(s.dispatchedAt));
    if (s.finishedAt) times.push(Date.parse(s.finishedAt));
    else if (s.dispatchedAt && now) times.push(now);
  }
  const from = Math.min(Date.parse(plan.start), ...times);
  const to = Math.max(from + 1000, ...times);
  const span = to - from;
  const plotW = WIDTH - LABEL_W - 10;
  const x = (ms: number) => LABEL_W + ((ms - from) / span) * plotW;
  const byName = new Map(groups.map((g) => [g.name, g]));

  let y = AXIS_H;
  const rows = [...sections].map(([name, members]) => {
    const top = y;
    y += HEAD_H + members.length * ROW_H;
    return { name, members, top };
  });
  const height = y + 4;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => from + f * span);
  const chosen = plan.steps.find((s) => s.hostId === selected);

  return (
    <figure class="gantt" data-testid="plan-timeline">
      {/* biome-ignore lint/a11y/useSemanticElements: an SVG cannot hold a fieldset; the bars are its controls */}
      <svg
        viewBox={`0 0 ${WIDTH} ${height}`}
        role="group"
        aria-label={`Timeline of ${plan.steps.length} steps from ${exact(new Date(from).toISOString())} to ${exact(new Date(to).toISOString())}`}
      >
        {ticks.map((t) => (
          <g key={t}>
            <line class="grid" x1={x(t)} x2={x(t)} y1={AXIS_H - 4} y2={height} />
            <text
              class="axis"
              x={x(t)}
              y={14}
              text-anchor={t === to ? 'end' : t === from ? 'start' : 'middle'}
            >
              {clock(t, span)}
            </text>
          </g>
        ))}
        {rows.map(({ name, members, top }) => {
          const windows = byName.get(name)?.windows ?? [];
          const bottom = top + HEAD_H + members.length * ROW_H;
          return (
            <g key={name} class="gantt-section">
              {windowSpans(windows, from, to).map((w) => (
                <rect
                  key={w.start}
                  class="window-span"
                  x={x(w.start)}
                  y={top + HEAD_H}
                  width={Math.max(1, x(w.end) - x(w.start))}
                  height={bottom - top - HEAD_H}
                >
                  <title>{`${name}: maintenance window ${exact(new Date(w.start).toISOString())} – ${exact(new Date(w.end).toISOString())}`}</title>
                </rect>
              ))}
              <text class="gantt-group" x={4} y={top + 14}>
                {name}
                {windows.length > 0 ? ' (windows shaded)' : ''}
              </text>
              {members.map((s, i) => {
                const rowY = top + HEAD_H + i * ROW_H;
                const start = Date.parse(s.plannedStart);
                const end = Date.parse(s.plannedEnd);
                const real = actual.get(s.hostId);
                const realStart = real?.dispatchedAt ? Date.parse(real.dispatchedAt) : undefined;
                const realEnd = real?.finishedAt ? Date.parse(real.finishedAt) : (now ?? to);
                const label = `${s.hostname ?? s.hostId}: ${s.action}, planned ${exact(s.plannedStart)} to ${exact(s.plannedEnd)}; ${waitText(s)}`;
                return (
                  <g key={s.hostId}>
                    <text class="gantt-host" x={12} y={rowY + 16}>
                      {(s.hostname ?? s.hostId).slice(0, 22)}
                    </text>
                    {/* biome-ignore lint/a11y/useSemanticElements: SVG has no button element; the bar is focusable and clickable */}
                    <g
                      class={`bar bar-${s.action}${s.waits.length ? ' waited' : ''}${selected === s.hostId ? ' selected' : ''}`}
                      data-testid="plan-bar"
                      data-host={s.hostname ?? s.hostId}
                      tabIndex={0}
                      role="button"
                      aria-label={label}
                      onClick={() => setSelected(s.hostId)}
                      onKeyDown={(e) => e.key === 'Enter' && setSelected(s.hostId)}
                      onMouseEnter={() => setSelected(s.hostId)}
                      onFocus={() => setSelected(s.hostId)}
                    >
                      <rect
                        x={x(start)}
                        y={rowY + 3}
                        width={Math.max(3, x(end) - x(start))}
                        height={real ? 9 : 16}
                        rx={2}
                      >
                        <title>{label}</title>
                      </rect>
                    </g>
                    {real && realStart !== undefined && (
                      <rect
                        class={`actual actual-${real.state}`}
                        data-testid="actual-bar"
                        x={x(realStart)}
                        y={rowY + 13}
                        width={Math.max(3, x(realEnd) - x(realStart))}
                        height={8}
                        rx={2}
                      >
                        <title>{`${real.hostname}: ${real.state}`}</title>
                      </rect>
                    )}
                  </g>
                );
              })}
            </g>
          );
        })}
        {now !== undefined && now >= from && now <= to && (
          <line class="now" x1={x(now)} x2={x(now)} y1={AXIS_H - 4} y2={height} />
        )}
      </svg>
      <figcaption class="legend">
        <span>
          <span class="swatch bar-restart" aria-hidden="true" /> restart
        </span>
        <span>
          <span class="swatch bar-reboot" aria-hidden="true" /> reboot
        </span>
        <span>
          <span class="swatch window-span" aria-hidden="true" /> maintenance window
        </span>
        {steps && (
          <span>
            <span class="swatch actual-succeeded" aria-hidden="true" /> actual (thin bar: green done, red
            failed, blue in flight)
          </span>
        )}
      </figcaption>
      <p class="wait-detail" aria-live="polite" data-testid="wait-detail">
        {chosen
          ? `${chosen.hostname ?? chosen.hostId}: ${chosen.action} ${exact(chosen.plannedStart)} – ${exact(chosen.plannedEnd)}. ${waitText(chosen)}.`
          : 'Hover or focus a bar to see when and why it waits.'}
      </p>
      <details class="chart-data">
        <summary>Plan as a list</summary>
        <PlanList plan={plan} />
      </details>
    </figure>
  );
}

export function PlanList({ plan }: { plan: Plan }) {
  return (
    <table class="table compact" data-testid="plan-steps">
      <thead>
        <tr>
          <th scope="col" class="num">
            #
          </th>
          <th scope="col">host</th>
          <th scope="col">groups</th>
          <th scope="col">action</th>
          <th scope="col">planned</th>
          <th scope="col">why it waits</th>
        </tr>
      </thead>
      <tbody>
        {plan.steps.map((s) => (
          <tr key={s.hostId}>
            <td class="num">{s.order}</td>
            <td>{s.hostname ?? s.hostId}</td>
            <td>{s.groups.join(', ')}</td>
            <td>
              <span class={`badge badge-${s.action}`}>{s.action}</span>
            </td>
            <td class="nowrap">
              {exact(s.plannedStart)} ({durationText(s.durationSec)})
            </td>
            <td>{s.waits.length ? s.waits.map((w) => w.detail).join('; ') : '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
