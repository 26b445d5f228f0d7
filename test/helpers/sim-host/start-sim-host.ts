// startSimHost(): a simulated host for tests: its own PID, mount and UTS namespaces (so its
// agent sees only its own processes, its own machine id and hostname), a supervisor standing in
// for systemd as its PID 1, real services, and the real agent (the built bundle) configured to
// use the systemctl stand-in and the host's own boot id file. Network: the host shares this
// machine's network namespace and reaches the server on 127.0.0.1.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExecutorConfigFile } from '../../../agent/config/config-schema.js';
import { repoRoot } from '../paths.js';
import { type HostDescription, type ServiceDescription, type SimStatus, simRequest } from './sim-protocol.js';

const here = dirname(fileURLToPath(import.meta.url));
export const SIM_SYSTEMCTL = join(here, 'systemctl.js');
const SUPERVISOR = join(here, 'supervisor.js');
export const AGENT_UNIT = 'afterpatch-agent.service';

export interface SimHostOptions {
  /** Unique per test run: it names the cgroup directory. */
  name: string;
  /** The host's own directory (a test scratch dir). */
  dir: string;
  services: Record<string, ServiceDescription>;
  serverUrl: string;
  enrollToken: string;
  /** The agent config file's `executor` section (systemctlPath is set to the stand-in). */
  executor?: ExecutorConfigFile;
  rebootDelayMs?: number;
  /** Start without the agent (tests of the supervisor alone). */
  withoutAgent?: boolean;
}

export interface SimHost {
  readonly name: string;
  readonly dir: string;
  readonly stateDir: string;
  readonly cgroupRoot: string;
  /** The host's /run (bind-mounted inside it; emptied by a reboot). */
  readonly runDir: string;
  /** Raises /run/reboot-required (with the packages that asked) like a package's postinst. */
  requireReboot(packages?: string[]): void;
  status(): Promise<SimStatus>;
  /** Restarts a unit directly through the supervisor (test setup, not the agent's doing). */
  restart(unit: string): Promise<void>;
  bootId(): string;
  /** Current pids of a unit (from its cgroup). */
  pids(unit: string): Promise<number[]>;
  /** A unit's log (stdout+stderr of every start). */
  logs(unit: string): string;
  supervisorLog(): string;
  /** Stops every service and the supervisor; the namespaces end with it. Safe to call twice. */
  stop(): Promise<void>;
}

/** rmdir depth-first (cgroup directories hold only kernel files and are removed empty). */
function removeCgroupTree(dir: string): void {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) removeCgroupTree(join(dir, entry.name));
  }
  try {
    rmdirSync(dir);
  } catch {
    // still has processes: left for the next run to see
  }
}

export const SIM_CGROUP_BASE = '/sys/fs/cgroup/systemd/afterpatch-sim';

export async function startSimHost(options: SimHostOptions): Promise<SimHost> {
  const { dir, name } = options;
  mkdirSync(join(dir, 'logs'), { recursive: true });
  chmodSync(SIM_SYSTEMCTL, 0o755);
  const stateDir = join(dir, 'state');
  const cgroupRoot = join(SIM_CGROUP_BASE, name);
  const socketPath = join(dir, 'supervisor.sock');
  const bootIdFile = join(dir, 'boot_id');
  const runDir = join(dir, 'run');
  mkdirSync(runDir, { recursive: true });
  const machineIdFile = join(dir, 'machine-id');
  writeFileSync(machineIdFile, `${randomBytes(16).toString('hex')}\n`);
  writeFileSync(bootIdFile, `${randomUUID()}\n`);
  const tokenFile = join(dir, 'enroll-token');
  writeFileSync(tokenFile, options.enrollToken, { mode: 0o600 });
  const configFile = join(dir, 'agent.json');
  writeFileSync(
    configFile,
    JSON.stringify(
      {
        agent: {
          serverUrl: options.serverUrl,
          enrollTokenFile: tokenFile,
          stateDir,
          bootIdFile,
          logLevel: 'debug',
          reconnectBaseSeconds: 0.2,
          reconnectCapSeconds: 2,
          packageChangeDebounceSeconds: 0,
        },
        scan: { packages: false, scripts: false },
        executor: { healthCheckIntervalSeconds: 0.2, ...options.executor, systemctlPath: SIM_SYSTEMCTL },
      },
      null,
      2,
    ),
  );
  const path = `${dirname(process.execPath)}:/usr/sbin:/usr/bin:/sbin:/bin`;
  const services: Record<string, ServiceDescription> = { ...options.services };
  if (!options.withoutAgent) {
    services[AGENT_UNIT] = {
      argv: [process.execPath, join(repoRoot, 'bin', 'afterpatch.js'), 'agent', '--config', configFile],
      env: { PATH: path },
    };
  }
  const description: HostDescription = {
    name,
    hostname: name.slice(0, 63),
    dir,
    socketPath,
    bootIdFile,
    machineIdFile,
    runDir,
    cgroupRoot,
    rebootDelayMs: options.rebootDelayMs ?? 500,
    services,
  };
  const descriptionFile = join(dir, 'host.json');
  writeFileSync(descriptionFile, JSON.stringify(description, null, 2));
  const logFd = openSync(join(dir, 'supervisor.log'), 'a');
  const child: ChildProcess = spawn(
    'unshare',
    [
      '--pid',
      '--fork',
      '--mount-proc',
      '--uts',
      '--kill-child',
      process.execPath,
      SUPERVISOR,
      descriptionFile,
    ],
    { stdio: ['ignore', logFd, logFd], env: { PATH: path } },
  );
  closeSync(logFd);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const supervisorLog = () => readFileSync(join(dir, 'supervisor.log'), 'utf8');
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`sim host ${name} exited at start:\n${supervisorLog()}`);
    if (existsSync(socketPath)) {
      try {
        await simRequest(socketPath, { cmd: 'status' }, 5000);
        break;
      } catch {
        // not listening yet
      }
    }
    if (Date.now() > deadline) throw new Error(`sim host ${name} did not start:\n${supervisorLog()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  let stopped: Promise<void> | undefined;
  const status = async () => (await simRequest(socketPath, { cmd: 'status' })).status!;
  return {
    name,
    dir,
    stateDir,
    cgroupRoot,
    runDir,
    requireReboot: (packages = ['linux-image-sim']) => {
      writeFileSync(join(runDir, 'reboot-required.pkgs'), `${packages.join('\n')}\n`);
      writeFileSync(join(runDir, 'reboot-required'), '*** System restart required ***\n');
    },
    status,
    restart: async (unit) => {
      const reply = await simRequest(socketPath, { cmd: 'restart', unit });
      if (reply.exitCode !== 0) throw new Error(`restart ${unit} on ${name}: ${reply.output}`);
    },
    bootId: () => readFileSync(bootIdFile, 'utf8').trim(),
    pids: async (unit) => (await status()).services[unit]?.pids ?? [],
    logs: (unit) => {
      try {
        return readFileSync(join(dir, 'logs', `${unit}.log`), 'utf8');
      } catch {
        return '';
      }
    },
    supervisorLog,
    stop: () => {
      stopped ??= (async () => {
        if (child.exitCode !== null) return;
        try {
          await simRequest(socketPath, { cmd: 'shutdown' }, 30_000);
        } catch {
          child.kill('SIGKILL');
        }
        const forced = setTimeout(() => child.kill('SIGKILL'), 30_000);
        await exited;
        clearTimeout(forced);
        // The supervisor removes its cgroups itself; after a SIGKILL nobody did.
        removeCgroupTree(cgroupRoot);
        // The common parent too, once the last simulated host is gone (rmdir fails while any
        // other host still has its directory there, which is what we want).
        try {
          rmdirSync(SIM_CGROUP_BASE);
        } catch {
          // other simulated hosts still run
        }
      })();
      return stopped;
    },
  };
}
