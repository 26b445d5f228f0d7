// The init process of a simulated host: stands in for systemd where this machine has none. It
// runs as PID 1 of its own PID, mount and UTS namespaces (started by startSimHost through
// `unshare`), starts each service from the host description, puts it into its own cgroup under
// the writable cgroup v1 name=systemd hierarchy (<cgroupRoot>/system.slice/<unit>, which is what
// the agent's cgroup attribution reads), and restarts, stops and "reboots" on request over a unix
// socket. A reboot stops every service (the agent too), waits, writes a new boot id into the
// host's boot id file and starts everything again. `daemon-reexec` is only recorded: a node
// process cannot replace itself as PID 1. Services and the agent are real processes; only this
// supervisor and the systemctl stand-in are fakes, at the systemd boundary.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import type { HostDescription, SimReply, SimRequest, SimStatus } from './sim-protocol.js';

const host = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as HostDescription;
const children = new Map<string, ChildProcess>();
const starts = new Map<string, number>();
const commands: string[] = [];
let boots = 0;
let reexecs = 0;
let busy: Promise<unknown> = Promise.resolve();

function log(message: string): void {
  process.stdout.write(`${new Date().toISOString()} supervisor[${host.name}]: ${message}\n`);
}

function unitCgroup(unit: string): string {
  return join(host.cgroupRoot, 'system.slice', unit);
}

function cgroupPids(dir: string): number[] {
  try {
    return readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function moveSelf(dir: string): void {
  writeFileSync(join(dir, 'cgroup.procs'), String(process.pid));
}

/** Starts a unit: the supervisor joins the unit's cgroup for the fork, so the child is born there. */
function startUnit(unit: string): void {
  const service = host.services[unit];
  if (!service) throw new Error(`unknown unit ${unit}`);
  const dir = unitCgroup(unit);
  mkdirSync(dir, { recursive: true });
  const logFd = openSync(join(host.dir, 'logs', `${unit}.log`), 'a');
  moveSelf(dir);
  let child: ChildProcess;
  try {
    child = spawn(service.argv[0], service.argv.slice(1), {
      env: { ...(service.env ?? {}), AFTERPATCH_SIM_SUPERVISOR: host.socketPath },
      stdio: ['ignore', logFd, logFd],
      cwd: host.dir,
    });
  } finally {
    moveSelf(join(host.cgroupRoot, 'init.scope'));
    closeSync(logFd);
  }
  child.on('error', (err) => log(`${unit}: ${err.message}`));
  child.on('exit', (code, signal) => log(`${unit} exited (${signal ?? code})`));
  children.set(unit, child);
  starts.set(unit, (starts.get(unit) ?? 0) + 1);
  log(`started ${unit} as ${child.pid}`);
}

/** Like KillMode=control-group: SIGTERM to every process of the unit, SIGKILL after 10 s. */
async function stopUnit(unit: string): Promise<void> {
  const dir = unitCgroup(unit);
  const deadline = Date.now() + 10_000;
  let signal: NodeJS.Signals = 'SIGTERM';
  for (;;) {
    const pids = cgroupPids(dir);
    if (pids.length === 0) break;
    for (const pid of pids) {
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
    }
    if (Date.now() > deadline) signal = 'SIGKILL';
    await sleep(50);
  }
  children.delete(unit);
}

async function restartUnit(unit: string): Promise<SimReply> {
  if (!host.services[unit])
    return { exitCode: 5, output: `Failed to restart ${unit}: Unit ${unit} not found.` };
  await stopUnit(unit);
  startUnit(unit);
  return { exitCode: 0, output: '' };
}

async function reboot(): Promise<void> {
  log('reboot: stopping every service');
  for (const unit of Object.keys(host.services).reverse()) await stopUnit(unit);
  // /run is a tmpfs on a real host: a reboot empties it (and with it /run/reboot-required).
  for (const entry of readdirSync(host.runDir))
    rmSync(join(host.runDir, entry), { recursive: true, force: true });
  await sleep(host.rebootDelayMs);
  boot();
}

function boot(): void {
  writeFileSync(host.bootIdFile, `${randomUUID()}\n`);
  boots++;
  log(`boot ${boots} with boot id ${readFileSync(host.bootIdFile, 'utf8').trim()}`);
  for (const unit of Object.keys(host.services)) startUnit(unit);
}

function status(): SimStatus {
  const services: SimStatus['services'] = {};
  for (const unit of Object.keys(host.services)) {
    services[unit] = { pids: cgroupPids(unitCgroup(unit)), starts: starts.get(unit) ?? 0 };
  }
  return { bootId: readFileSync(host.bootIdFile, 'utf8').trim(), boots, reexecs, commands, services };
}

async function handle(request: SimRequest): Promise<SimReply> {
  switch (request.cmd) {
    case 'restart':
      commands.push(`restart ${request.unit}`);
      return restartUnit(request.unit);
    case 'is-active': {
      const active = cgroupPids(unitCgroup(request.unit)).length > 0;
      return { exitCode: active ? 0 : 3, output: active ? 'active' : 'inactive' };
    }
    case 'daemon-reexec':
      commands.push('daemon-reexec');
      reexecs++;
      return { exitCode: 0, output: '' };
    case 'reboot':
      commands.push('reboot');
      // Like systemd: the job is queued and systemctl returns before anything stops.
      setTimeout(() => {
        busy = busy.then(reboot);
      }, 100);
      return { exitCode: 0, output: '' };
    case 'status':
      return { exitCode: 0, output: '', status: status() };
    case 'shutdown':
      setTimeout(() => void shutdown(), 10);
      return { exitCode: 0, output: '' };
  }
}

function onConnection(socket: Socket): void {
  let text = '';
  socket.setEncoding('utf8');
  socket.on('error', () => {});
  socket.on('data', (chunk: string) => {
    text += chunk;
    if (!text.includes('\n')) return;
    const reply = (async (): Promise<SimReply> => {
      try {
        const request = JSON.parse(text.slice(0, text.indexOf('\n'))) as SimRequest;
        // Unit operations one at a time, like systemd's job queue.
        const result = busy.then(() => handle(request));
        busy = result.catch(() => {});
        return await result;
      } catch (err) {
        return { exitCode: 1, output: (err as Error).message };
      }
    })();
    void reply.then((r) => socket.end(`${JSON.stringify(r)}\n`));
  });
}

async function shutdown(): Promise<void> {
  log('shutting down');
  for (const unit of Object.keys(host.services).reverse()) await stopUnit(unit);
  for (const unit of Object.keys(host.services)) rmdirQuiet(unitCgroup(unit));
  rmdirQuiet(join(host.cgroupRoot, 'system.slice'));
  // The supervisor leaves its cgroup for the root before removing it.
  writeFileSync('/sys/fs/cgroup/systemd/cgroup.procs', String(process.pid));
  rmdirQuiet(join(host.cgroupRoot, 'init.scope'));
  rmdirQuiet(host.cgroupRoot);
  rmSync(host.socketPath, { force: true });
  process.exit(0);
}

function rmdirQuiet(dir: string): void {
  try {
    rmdirSync(dir);
  } catch (err) {
    log(`cannot remove ${dir}: ${(err as Error).message}`);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function main(): void {
  // PID 1 ignores signals it has no handler for: these make `kill` work as on a real init.
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => void shutdown());
  mkdirSync(join(host.cgroupRoot, 'init.scope'), { recursive: true });
  moveSelf(join(host.cgroupRoot, 'init.scope'));
  mkdirSync(join(host.dir, 'logs'), { recursive: true });
  // Our own machine id and hostname, in our own mount and UTS namespaces: to the agent (and the
  // server it enrols with) this is a different machine from every other simulated host.
  execFileSync('mount', ['--bind', host.machineIdFile, '/etc/machine-id']);
  // Our own /run: the agent's reboot check reads /run/reboot-required on this host only.
  execFileSync('mount', ['--bind', host.runDir, '/run']);
  execFileSync('hostname', [host.hostname]);
  rmSync(host.socketPath, { force: true });
  const server = createServer(onConnection);
  server.listen(host.socketPath, () => {
    boot();
    log(`listening on ${host.socketPath}`);
  });
}

main();
