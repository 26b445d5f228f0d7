// One full scan of a host: every process, the reboot checks and the package owners, assembled
// into the ScanReport that `afterpatch scan` prints and the agent sends.
import { readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { HostStatus, ScanReport, StaleProcess, UnreadableProcess } from '../../shared/scan-report.js';
import { SCAN_REPORT_SCHEMA_VERSION } from '../../shared/scan-report-limits.js';
import { AFTERPATCH_VERSION } from '../../shared/version.js';
import { buildScanConfig, type ScanConfig } from '../config/scan-config.js';
import { aggregatePackages, buildActions } from '../detect/build-actions.js';
import { createMappingClassifier } from '../detect/classify-mapping.js';
import { compileGlobs } from '../detect/glob.js';
import { createProcessFiles, type ProcessRoot } from '../host/process-files.js';
import { detectPackageManager } from '../packages/detect-package-manager.js';
import { checkReboot } from '../reboot/check-reboot.js';
import { createScriptParseCache, type ScriptParseCache } from '../scripts/find-script-files.js';
import { attachPackages, createPackageLookupCache, type PackageLookupCache } from './attach-packages.js';
import { readHostFacts } from './read-host-facts.js';
import { type ProcessIdentity, type ScanContext, scanProcess } from './scan-process.js';

export interface ScanHostOptions {
  /** procfs to read; default /proc, or <root>/proc when `root` is given. */
  procRoot?: string;
  /** The host filesystem root; anything but "/" means a captured tree. */
  root?: string;
  /** Where `host.bootId` is read (the agent's `agent.bootIdFile`); default <procRoot>/sys/kernel/random/boot_id. */
  bootIdFile?: string;
  config?: ScanConfig;
  /** Scan only these PIDs (the reboot checks still run). */
  pids?: readonly number[];
  /** What a long-running agent carries from one scan to the next (createScanMemory()). */
  memory?: ScanMemory;
  /** Reported as progress every few hundred processes. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Results that stay true between scans as long as the files behind them do not change: parsed
 * script imports (keyed by file identity) and package owners (keyed by the package database's
 * fingerprint). Never the stat results themselves: every scan looks at the filesystem afresh.
 */
export interface ScanMemory {
  parsedImports: ScriptParseCache['imports'];
  packageOwners: PackageLookupCache;
  /** Stale processes' owner, uid and command line, per pid, valid while the start time matches. */
  processIdentities: Map<number, ProcessIdentity>;
}

export function createScanMemory(): ScanMemory {
  return {
    parsedImports: new Map(),
    packageOwners: createPackageLookupCache(),
    processIdentities: new Map(),
  };
}

/** Processes scanned between two yields, so an agent's sockets stay served during a scan. */
const BATCH_SIZE = 200;
const CLOCK_TICKS_PER_SECOND = 100;

export async function scanHost(options: ScanHostOptions = {}): Promise<ScanReport> {
  const startedAt = Date.now();
  const root = options.root ?? '/';
  const captured = root !== '/';
  const procRoot = options.procRoot ?? (captured ? join(root, 'proc') : '/proc');
  const config = options.config ?? buildScanConfig();
  const facts = readHostFacts(procRoot, root, options.bootIdFile);
  const warnings: string[] = [];

  const ctx: ScanContext = {
    procRoot,
    ...(captured ? { capturedRoot: { prefix: root.replace(/\/+$/, ''), cacheKey: 'captured' } } : {}),
    selfRootKey: captured
      ? 'captured'
      : `${readlinkSync('/proc/self/ns/mnt')}${readlinkSync('/proc/self/root')}`,
    bootTimeSeconds: facts.bootTimeSeconds,
    clockTicksPerSecond: CLOCK_TICKS_PER_SECOND,
    selfPid: captured ? -1 : process.pid,
    ...optionalHostPidNamespace(procRoot),
    files: createProcessFiles(),
    classify: createMappingClassifier(config),
    config,
    ignoreProcess: compileGlobs(config.ignoreProcesses),
    ignoreUnit: compileGlobs(config.ignoreUnits),
    scriptCache: createScriptParseCache(options.memory?.parsedImports),
    ...(options.memory
      ? { identities: { previous: options.memory.processIdentities, next: new Map() } }
      : {}),
  };

  const pids = options.pids ? [...options.pids] : listPids(procRoot);
  const stale: { process: StaleProcess; root: ProcessRoot }[] = [];
  const unreadable: UnreadableProcess[] = [];
  let scanned = 0;
  let vanished = 0;
  let filesChecked = 0;
  for (let i = 0; i < pids.length; i++) {
    if (i > 0 && i % BATCH_SIZE === 0) {
      options.onProgress?.(i, pids.length);
      await yieldToEventLoop();
    }
    const outcome = scanProcess(pids[i]!, ctx);
    switch (outcome.kind) {
      case 'vanished':
        vanished++;
        if (options.pids) warnings.push(`process ${pids[i]} does not exist`);
        break;
      case 'unreadable':
        unreadable.push({
          pid: outcome.pid,
          ...(outcome.comm ? { comm: outcome.comm } : {}),
          error: outcome.error,
        });
        break;
      case 'clean':
        scanned++;
        filesChecked += outcome.filesChecked;
        break;
      case 'stale':
        scanned++;
        filesChecked += outcome.filesChecked;
        stale.push({ process: outcome.process, root: outcome.root });
        break;
    }
  }
  options.onProgress?.(pids.length, pids.length);
  // Only the processes seen in this scan are remembered: exited ones drop out.
  if (options.memory && ctx.identities) options.memory.processIdentities = ctx.identities.next;

  const packageManager = detectPackageManager(root);
  if (config.packages && stale.length > 0) {
    warnings.push(
      ...(await attachPackages(stale, {
        hostRoot: root,
        hostRootKey: ctx.selfRootKey,
        packageManager,
        ...(options.memory ? { cache: options.memory.packageOwners } : {}),
      })),
    );
  }
  const reboot = await checkReboot({
    root,
    procRoot,
    bootTimeMs: facts.bootTimeSeconds * 1000,
    runningRelease: facts.kernelRelease,
    runningVersion: facts.kernelVersion,
    packageManager,
  });
  warnings.push(...reboot.warnings);

  const processes = stale.map((s) => s.process).sort((a, b) => a.pid - b.pid);
  const actions = buildActions(processes, compileGlobs(config.denyUnits));
  const status: HostStatus = reboot.reasons.length > 0 ? 'reboot' : processes.length > 0 ? 'restart' : 'ok';
  return {
    schemaVersion: SCAN_REPORT_SCHEMA_VERSION,
    tool: { name: 'afterpatch', version: AFTERPATCH_VERSION },
    host: {
      hostname: facts.hostname,
      ...(facts.machineId ? { machineId: facts.machineId } : {}),
      ...(facts.bootId ? { bootId: facts.bootId } : {}),
      bootTime: new Date(facts.bootTimeSeconds * 1000).toISOString(),
      ...(facts.os ? { os: facts.os } : {}),
      packageManager,
    },
    scan: {
      startedAt: new Date(startedAt).toISOString(),
      durationMs: Date.now() - startedAt,
      procRoot,
      root,
      processesSeen: pids.length,
      processesScanned: scanned,
      processesVanished: vanished,
      filesChecked,
    },
    status,
    kernel: reboot.kernel,
    reboot: { required: reboot.reasons.length > 0, reasons: reboot.reasons },
    processes,
    actions,
    packages: aggregatePackages(processes),
    unreadable: unreadable.sort((a, b) => a.pid - b.pid),
    warnings,
  };
}

function listPids(procRoot: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync(procRoot)) {
    const code = name.charCodeAt(0);
    if (code >= 0x30 && code <= 0x39) pids.push(Number(name));
  }
  return pids.sort((a, b) => a - b);
}

/** The PID namespace of the host's init: processes in any other one run in a container. */
function optionalHostPidNamespace(procRoot: string): { hostPidNamespace?: string } {
  try {
    return { hostPidNamespace: readlinkSync(join(procRoot, '1/ns/pid')) };
  } catch {
    return {};
  }
}
