// The fleet overview's database queries alone, timed one after another against an existing
// database, with no agents and no HTTP in the way: how long each costs the database and Prisma,
// which the fleet simulator's end-to-end latencies include. Point it at the database a fleet
// simulator run kept (`fleet-sim.js --keep-database` prints its URL) to time them on 10,000
// realistic hosts, or at a server's PGlite data directory (the server must be stopped).
//
//   node dist/bench/overview-queries.js --database-url postgres://…/afterpatch_fleetsim_… [--runs 30]
//   node dist/bench/overview-queries.js --data-dir ./afterpatch-data
import { parseArgs } from 'node:util';
import { openDatabase } from '../server/db/open-database.js';
import {
  fleetByLabel,
  fleetStalePackages,
  fleetTotals,
  hostsRunningStalePackage,
} from '../server/fleet/fleet-queries.js';
import { listHostRows } from '../server/fleet/host-list.js';
import { percentiles } from './lib/percentiles.js';

const HELP = `Usage: node dist/bench/overview-queries.js (--database-url URL | --data-dir DIR) [options]
  --runs N          timed runs of each query, after 3 untimed ones (default 30)
  --label K:V       the label of the label queries (default: the commonest label in the database)
  --package NAME    the package of "hosts of one package" (default: the most widespread one)
  --vacuum          VACUUM (ANALYZE) the host tables first (what the server's upkeep does)
`;

const { values } = parseArgs({
  options: {
    'database-url': { type: 'string' },
    'data-dir': { type: 'string' },
    runs: { type: 'string', default: '30' },
    label: { type: 'string' },
    package: { type: 'string' },
    vacuum: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  process.stdout.write(HELP);
  process.exit(0);
}
const RUNS = Number(values.runs);
if (!(values['database-url'] || values['data-dir']) || !Number.isInteger(RUNS) || RUNS < 1) {
  process.stderr.write(HELP);
  process.exit(64);
}

const db = await openDatabase({
  dataDir: values['data-dir'] ?? '.',
  ...(values['database-url'] ? { databaseUrl: values['database-url'] } : {}),
  logger: { info() {}, warn() {} },
});
try {
  const { prisma } = db;
  if (values.vacuum)
    await prisma.$executeRawUnsafe('VACUUM (ANALYZE) hosts, host_reports, host_labels, host_stale_packages');
  const hosts = await prisma.host.count();
  const commonLabel = (await fleetByLabel(prisma)).sort((a, b) => b.hosts - a.hosts)[0];
  const label = values.label ?? (commonLabel ? `${commonLabel.key}:${commonLabel.value}` : 'none:none');
  const topPackage = (await fleetStalePackages(prisma, { limit: 1, offset: 0 })).items[0]?.name;
  const packageName = values.package ?? topPackage ?? 'none';
  const labelKey = label.slice(0, label.indexOf(':'));
  const page = { sort: 'hostname' as const, order: 'asc' as const, page: 1, pageSize: 50 };

  const queries: Record<string, () => Promise<unknown>> = {
    'fleet totals': () => fleetTotals(prisma),
    'counts by label (all keys)': () => fleetByLabel(prisma),
    [`counts by label (key ${labelKey})`]: () => fleetByLabel(prisma, labelKey),
    'hosts: status=restart, online, by staleSince': () =>
      listHostRows(prisma, { ...page, status: 'restart', online: true, sort: 'staleSince', order: 'desc' }),
    [`hosts: label ${label} + search "0042"`]: () => listHostRows(prisma, { ...page, label, search: '0042' }),
    'stale packages': () => fleetStalePackages(prisma, { limit: 50, offset: 0 }),
    [`hosts of package ${packageName}`]: () =>
      hostsRunningStalePackage(prisma, { name: packageName, limit: 50, offset: 0 }),
  };
  const lines = [
    `Overview queries on ${hosts} hosts (${db.kind}), ${RUNS} runs each after 3 untimed, one at a time:`,
    '',
    '| Query | p50 | p90 | max |',
    '| --- | --- | --- | --- |',
  ];
  for (const [name, run] of Object.entries(queries)) {
    for (let i = 0; i < 3; i++) await run();
    const samples: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      await run();
      samples.push(performance.now() - started);
    }
    const p = percentiles(samples);
    lines.push(`| ${name} | ${p.p50.toFixed(1)} ms | ${p.p90.toFixed(1)} ms | ${p.max.toFixed(1)} ms |`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  await db.close();
}
