// Scans ONE process: the only place that reads /proc/PID. Reads are synchronous on purpose:
// procfs answers from memory, and a thread-pool round trip per file would cost more than the read.
// A clean process costs its maps and three readlinks (exe, ns/mnt, root); stat is read only when
// a file changed after boot, and cgroup, status, cmdline and ns/pid only for stale processes
// (and, in a long-running agent, only the first time a process is found stale).
import { type BigIntStats, readdirSync, readlinkSync, statSync } from 'node:fs';
import type { Attribution, FileKind, StaleFile, StaleProcess } from '../../shared/scan-report.js';
import { SCAN_REPORT_LIMITS } from '../../shared/scan-report-limits.js';
import type { ScanConfig } from '../config/scan-config.js';
import { attributeCgroup } from '../detect/attribute-cgroup.js';
import type { MappingClassifier } from '../detect/classify-mapping.js';
import type { GlobMatcher } from '../detect/glob.js';
import { type JudgeContext, judgeHeldFile, judgeReadFile, type Verdict } from '../detect/judge-file.js';
import { decodeDevice } from '../host/file-stat.js';
import type { ProcessFiles, ProcessRoot } from '../host/process-files.js';
import { parseCgroupPath } from '../procfs/parse-cgroup.js';
import { DELETED_SUFFIX, parseExecMappings } from '../procfs/parse-maps.js';
import { type ProcStat, parseProcStat, processStartMs } from '../procfs/parse-stat.js';
import { parseCmdline, parseStatusUid } from '../procfs/parse-status.js';
import { readProcText } from '../procfs/read-proc-file.js';
import { detectInterpreter } from '../scripts/detect-interpreter.js';
import { findScriptFiles, type ScriptParseCache } from '../scripts/find-script-files.js';
import { findOpenJars } from '../scripts/java-jars.js';

export interface ScanContext {
  procRoot: string;
  /** Set when scanning a captured tree: every process sees this root. */
  capturedRoot?: ProcessRoot;
  /** How the scanner itself sees files: processes with the same key share its view. */
  selfRootKey: string;
  bootTimeSeconds: number;
  clockTicksPerSecond: number;
  selfPid: number;
  hostPidNamespace?: string;
  files: ProcessFiles;
  classify: MappingClassifier;
  config: ScanConfig;
  ignoreProcess: GlobMatcher;
  ignoreUnit: GlobMatcher;
  scriptCache: ScriptParseCache;
  /** Identities remembered from the previous scan, and those seen in this one (see identityOf). */
  identities?: { previous: ReadonlyMap<number, ProcessIdentity>; next: Map<number, ProcessIdentity> };
}

export interface ProcessIdentity {
  startTicks: number;
  attribution: Attribution;
  inContainer: boolean;
  uid?: number;
  cmdline: string[];
}

export type ProcessOutcome =
  | { kind: 'skipped' }
  | { kind: 'vanished' }
  | { kind: 'unreadable'; pid: number; comm?: string; error: string }
  | { kind: 'clean'; filesChecked: number }
  | { kind: 'stale'; filesChecked: number; process: StaleProcess; root: ProcessRoot };

const VANISHED_CODES = new Set(['ENOENT', 'ESRCH']);
const SELF_PREFIX = '';

export function scanProcess(pid: number, ctx: ScanContext): ProcessOutcome {
  if (pid === ctx.selfPid) return { kind: 'skipped' };
  const dir = `${ctx.procRoot}/${pid}`;
  // /proc/PID/stat is read only when needed: for the start time when a file changed after boot,
  // and for the report when the process is stale. A clean process costs maps and three readlinks.
  let stat: ProcStat | undefined;
  const readStat = (): ProcStat => {
    stat ??= parseProcStat(readProcText(`${dir}/stat`));
    if (!stat) throw new MalformedStat();
    return stat;
  };
  try {
    // Kernel threads and zombies have empty maps.
    const mapsText = readProcText(`${dir}/maps`);
    if (mapsText.length === 0) return { kind: 'skipped' };
    const exe = stripDeleted(readlinkSync(`${dir}/exe`));
    if (
      ctx.config.ignoreProcesses.length > 0 &&
      (ctx.ignoreProcess(readStat().comm) || ctx.ignoreProcess(exe))
    ) {
      return { kind: 'skipped' };
    }
    const root = ctx.capturedRoot ?? readProcessRoot(dir, ctx.selfRootKey);
    let startMs: number | undefined;
    const judge: JudgeContext = {
      lookup: (path) => ctx.files.stat(root, path),
      bootTimeMs: ctx.bootTimeSeconds * 1000,
      get processStartMs() {
        startMs ??= processStartMs(ctx.bootTimeSeconds, readStat().startTicks, ctx.clockTicksPerSecond);
        return startMs;
      },
      toleranceMs: ctx.config.modifiedToleranceMs,
    };

    const found = new Map<string, StaleFile>();
    let filesChecked = 0;
    for (const mapping of parseExecMappings(mapsText)) {
      if (ctx.classify(mapping.path) !== 'file') continue;
      filesChecked++;
      const kind: FileKind = mapping.path === exe ? 'executable' : 'library';
      addVerdict(found, judgeHeldFile(mapping, judge), kind);
    }

    const interpreter = detectInterpreter(exe);
    if (interpreter === 'java') {
      filesChecked += checkOpenJars(dir, ctx, judge, found);
    } else if (interpreter !== undefined && ctx.config.scripts) {
      const argv = parseCmdline(readProcText(`${dir}/cmdline`));
      const cwd = readlinkSync(`${dir}/cwd`);
      const scripts = findScriptFiles({
        interpreter,
        exePath: exe,
        argv,
        cwd,
        root,
        files: ctx.files,
        cache: ctx.scriptCache,
      });
      for (const script of scripts) {
        if (ctx.classify(script.path) !== 'file') continue;
        filesChecked++;
        addVerdict(found, judgeReadFile(script.path, judge), script.kind);
      }
    }

    if (found.size === 0) return { kind: 'clean', filesChecked };
    // Every path looks missing through the /proc/PID/root of a process that just exited.
    if (root.volatile) statSync(dir);

    const { comm, ppid, startTicks } = readStat();
    const identity = identityOf(dir, pid, startTicks, ctx);
    const { attribution } = identity;
    if (attribution.unit !== undefined && ctx.ignoreUnit(attribution.unit))
      return { kind: 'clean', filesChecked };
    const process: StaleProcess = {
      pid,
      ppid,
      ...(identity.uid !== undefined ? { uid: identity.uid } : {}),
      comm,
      exe,
      cmdline: identity.cmdline,
      startedAt: new Date(judge.processStartMs).toISOString(),
      inContainer: identity.inContainer,
      attribution,
      files: [...found.values()].slice(0, SCAN_REPORT_LIMITS.filesPerProcess),
    };
    return { kind: 'stale', filesChecked, process, root };
  } catch (err) {
    return failureOutcome(err, pid, stat?.comm ?? commOf(dir));
  }
}

/**
 * Who a stale process is: owner unit, uid, command line, container. A long-running agent keeps
 * it per (pid, start time) from one scan to the next (ctx.identities): a process keeps its
 * cgroup, namespace and, in practice, its uid and command line for life, and these four reads
 * are most of what a stale process costs beyond a clean one.
 */
function identityOf(dir: string, pid: number, startTicks: number, ctx: ScanContext): ProcessIdentity {
  const known = ctx.identities?.previous.get(pid);
  if (known && known.startTicks === startTicks) {
    ctx.identities?.next.set(pid, known);
    return known;
  }
  const attribution = attribute(dir, pid, ctx);
  const inContainer = isInOtherPidNamespace(dir, ctx.hostPidNamespace);
  const uid = parseStatusUid(readProcText(`${dir}/status`));
  const identity: ProcessIdentity = {
    startTicks,
    attribution:
      inContainer && attribution.kind !== 'container'
        ? { ...attribution, kind: 'container', runtime: 'unknown', containerId: 'unknown' }
        : attribution,
    inContainer,
    ...(uid !== undefined ? { uid } : {}),
    cmdline: parseCmdline(readProcText(`${dir}/cmdline`))
      .slice(0, SCAN_REPORT_LIMITS.cmdlineArgs)
      .map((arg) => clip(arg, SCAN_REPORT_LIMITS.textLength)),
  };
  ctx.identities?.next.set(pid, identity);
  return identity;
}

function addVerdict(found: Map<string, StaleFile>, verdict: Verdict | undefined, kind: FileKind): void {
  if (!verdict || found.has(verdict.path)) return;
  found.set(verdict.path, { path: verdict.path, kind, reason: verdict.reason, detail: verdict.detail });
}

/**
 * A JVM reads classes from jars it keeps open, so the open descriptor gives the inode it
 * loaded: judged like a mapping. Descriptors that vanish between readdir and stat are skipped.
 */
function checkOpenJars(
  dir: string,
  ctx: ScanContext,
  judge: JudgeContext,
  found: Map<string, StaleFile>,
): number {
  const targets: { fd: string; target: string }[] = [];
  for (const fd of readdirSync(`${dir}/fd`)) {
    try {
      targets.push({ fd, target: readlinkSync(`${dir}/fd/${fd}`) });
    } catch {
      // closed meanwhile
    }
  }
  let checked = 0;
  for (const jar of findOpenJars(targets)) {
    if (ctx.classify(jar.path) !== 'file') continue;
    let held: BigIntStats;
    try {
      held = statSync(`${dir}/fd/${jar.fd}`, { bigint: true });
    } catch {
      continue;
    }
    checked++;
    const rawPath = jar.deleted ? `${jar.path}${DELETED_SUFFIX}` : jar.path;
    const verdict = judgeHeldFile(
      { rawPath, path: jar.path, deleted: jar.deleted, dev: decodeDevice(held.dev), inode: held.ino },
      judge,
    );
    addVerdict(found, verdict, 'jar');
  }
  return checked;
}

function readProcessRoot(dir: string, selfRootKey: string): ProcessRoot {
  const key = `${readlinkSync(`${dir}/ns/mnt`)}${readlinkSync(`${dir}/root`)}`;
  if (key === selfRootKey) return { prefix: SELF_PREFIX, cacheKey: key };
  return { prefix: `${dir}/root`, cacheKey: key, volatile: true };
}

function attribute(dir: string, pid: number, ctx: ScanContext): Attribution {
  let cgroupPath: string | undefined;
  try {
    cgroupPath = parseCgroupPath(readProcText(`${dir}/cgroup`));
  } catch (err) {
    if (VANISHED_CODES.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
  }
  const isHostPid1 = pid === 1 && !isInOtherPidNamespace(dir, ctx.hostPidNamespace);
  return attributeCgroup(cgroupPath, isHostPid1);
}

function isInOtherPidNamespace(dir: string, hostPidNamespace: string | undefined): boolean {
  if (hostPidNamespace === undefined) return false;
  try {
    return readlinkSync(`${dir}/ns/pid`) !== hostPidNamespace;
  } catch {
    return false;
  }
}

/** Best effort, for naming an unreadable process: stat is readable by every user. */
function commOf(dir: string): string | undefined {
  try {
    return parseProcStat(readProcText(`${dir}/stat`))?.comm;
  } catch {
    return undefined;
  }
}

class MalformedStat extends Error {
  override readonly message = 'malformed /proc/PID/stat';
}

function failureOutcome(err: unknown, pid: number, comm: string | undefined): ProcessOutcome {
  if (err instanceof MalformedStat) return { kind: 'unreadable', pid, error: err.message };
  const code = (err as NodeJS.ErrnoException).code;
  if (code !== undefined && VANISHED_CODES.has(code)) return { kind: 'vanished' };
  return {
    kind: 'unreadable',
    pid,
    ...(comm !== undefined ? { comm } : {}),
    error: code ?? (err instanceof Error ? err.message : String(err)),
  };
}

export function stripDeleted(path: string): string {
  return path.endsWith(DELETED_SUFFIX) ? path.slice(0, -DELETED_SUFFIX.length) : path;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
