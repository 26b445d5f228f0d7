// The fleet over time: a stacked area chart (hand-made SVG) of hosts per status at the end of each
// bucket, with a hover title per bucket and the same numbers as a table for screen readers.
import { count } from '../format.js';
import type { TimelinePoint } from '../types.js';

const SERIES = [
  { key: 'ok', label: 'ok' },
  { key: 'restart', label: 'restart' },
  { key: 'reboot', label: 'reboot' },
  { key: 'unknown', label: 'not reported' },
] as const;
const WIDTH = 800;
const HEIGHT = 200;
const PAD = { left: 44, right: 8, top: 8, bottom: 22 };

function label(at: string, bucket: 'day' | 'hour'): string {
  const date = new Date(at);
  return bucket === 'day'
    ? date.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })
    : date.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

export function TimelineChart({ points, bucket }: { points: TimelinePoint[]; bucket: 'day' | 'hour' }) {
  if (points.length === 0) return <p class="muted">No history yet.</p>;
  const totals = points.map((p) => p.ok + p.restart + p.reboot + p.unknown);
  const max = Math.max(1, ...totals);
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const step = points.length > 1 ? plotW / (points.length - 1) : 0;
  const x = (i: number) => PAD.left + (points.length > 1 ? i * step : plotW / 2);
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  const below = points.map(() => 0);
  const areas = SERIES.map((series) => {
    const lower = [...below];
    const upper = points.map((p, i) => {
      below[i] = (below[i] ?? 0) + p[series.key];
      return below[i]!;
    });
    const top = upper.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`);
    const bottom = lower.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).reverse();
    return { series, d: `M${top.join('L')}L${bottom.join('L')}Z` };
  });
  const last = points[points.length - 1]!;
  const summary = `Hosts per status by ${bucket}, ${label(points[0]!.at, bucket)} to ${label(last.at, bucket)}; now ${last.ok} ok, ${last.restart} restart, ${last.reboot} reboot, ${last.unknown} not reported.`;
  const hit = points.length > 1 ? step : plotW;
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={summary}>
        {[0, 0.5, 1].map((f) => (
          <g key={f}>
            <line class="grid" x1={PAD.left} x2={WIDTH - PAD.right} y1={y(max * f)} y2={y(max * f)} />
            <text class="axis" x={PAD.left - 6} y={y(max * f) + 4} text-anchor="end">
              {count(Math.round(max * f))}
            </text>
          </g>
        ))}
        {areas.map(({ series, d }) => (
          <path key={series.key} class={`area area-${series.key}`} d={d} />
        ))}
        <text class="axis" x={PAD.left} y={HEIGHT - 6}>
          {label(points[0]!.at, bucket)}
        </text>
        <text class="axis" x={WIDTH - PAD.right} y={HEIGHT - 6} text-anchor="end">
          {label(last.at, bucket)}
        </text>
        {points.map((p, i) => (
          <rect key={p.at} class="hit" x={x(i) - hit / 2} y={PAD.top} width={hit} height={plotH}>
            <title>
              {`${label(p.at, bucket)}: ${p.ok} ok, ${p.restart} restart, ${p.reboot} reboot, ${p.unknown} not reported`}
            </title>
          </rect>
        ))}
      </svg>
      <figcaption class="legend">
        {SERIES.map((s) => (
          <span key={s.key}>
            <span class={`swatch area-${s.key}`} aria-hidden="true" /> {s.label}
          </span>
        ))}
      </figcaption>
      <details class="chart-data">
        <summary>Data</summary>
        <table class="table compact">
          <thead>
            <tr>
              <th scope="col">{bucket}</th>
              {SERIES.map((s) => (
                <th key={s.key} scope="col" class="num">
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {points.map((p) => (
              <tr key={p.at}>
                <td>{label(p.at, bucket)}</td>
                {SERIES.map((s) => (
                  <td key={s.key} class="num">
                    {p[s.key]}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
