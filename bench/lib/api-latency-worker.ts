// The fleet simulator's operator: a worker thread (its own event loop, so 10,000 simulated
// sockets on the main thread do not delay its clock) asking the overview API in turn, one
// request at a time, and timing each answer.
import { parentPort, workerData } from 'node:worker_threads';

export interface ApiWorkerData {
  baseUrl: string;
  authorization: string;
  durationMs: number;
  pauseMs: number;
}

export type ApiLatencies = Record<string, number[]>;

export const API_QUERIES: Readonly<Record<string, string>> = Object.freeze({
  summary: '/api/v1/fleet/summary',
  'summary by label': '/api/v1/fleet/summary?labelKey=fleet',
  'hosts: status=restart, online, by staleSince':
    '/api/v1/hosts?status=restart&online=true&sort=staleSince&order=desc&pageSize=50',
  'hosts: label + search': '/api/v1/hosts?label=fleet:sim&search=sim-0042&pageSize=50',
  packages: '/api/v1/fleet/packages',
  'package hosts (libssl3)': '/api/v1/fleet/packages/libssl3/hosts?pageSize=50',
});

async function run(data: ApiWorkerData): Promise<ApiLatencies> {
  const latencies: ApiLatencies = Object.fromEntries(Object.keys(API_QUERIES).map((k) => [k, []]));
  const end = performance.now() + data.durationMs;
  while (performance.now() < end) {
    for (const [name, path] of Object.entries(API_QUERIES)) {
      const started = performance.now();
      const response = await fetch(`${data.baseUrl}${path}`, {
        headers: { authorization: data.authorization },
      });
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
      latencies[name]!.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, data.pauseMs));
    }
  }
  return latencies;
}

if (parentPort && workerData) {
  run(workerData as ApiWorkerData).then(
    (latencies) => parentPort!.postMessage({ ok: true, latencies }),
    (err: unknown) => parentPort!.postMessage({ ok: false, error: String(err) }),
  );
}
