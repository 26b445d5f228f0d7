// Display helpers: times as "3 h ago" with the exact time in a title, counts with separators.
const UNITS: Array<[number, string]> = [
  [86_400_000, 'd'],
  [3_600_000, 'h'],
  [60_000, 'min'],
  [1000, 's'],
];

export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const ms = now - new Date(iso).getTime();
  if (ms < 5000) return 'just now';
  for (const [size, unit] of UNITS) {
    if (ms >= size) return `${Math.floor(ms / size)} ${unit} ago`;
  }
  return 'just now';
}

export function exact(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString() : '';
}

export function count(n: number): string {
  return n.toLocaleString('en-US');
}
