// The scan report: what one host's scan found. The agent prints it with `afterpatch scan --json`
// and sends the same document to the server, so this file is the contract for both, and for
// anyone scripting against the JSON output. Every change that is not purely additive bumps
// SCAN_REPORT_SCHEMA_VERSION. Documented field by field in docs/scan-report.md.
import Type, { type Static } from 'typebox';
import { SCAN_REPORT_LIMITS, SCAN_REPORT_SCHEMA_VERSION } from './scan-report-limits.js';

export { SCAN_REPORT_LIMITS, SCAN_REPORT_SCHEMA_VERSION };

const Path = Type.String({ maxLength: SCAN_REPORT_LIMITS.pathLength });
const Text = Type.String({ maxLength: SCAN_REPORT_LIMITS.textLength });
const Pid = Type.Integer({ minimum: 0, maximum: 2 ** 31 });
const Uid = Type.Integer({ minimum: 0, maximum: 2 ** 32 });
const Timestamp = Type.String({ format: 'date-time', maxLength: 40 });
const PidList = Type.Array(Pid, { maxItems: SCAN_REPORT_LIMITS.listItems });
const NameList = Type.Array(Text, { maxItems: SCAN_REPORT_LIMITS.listItems });

/** What a stale file is to the process that uses it. */
export const FileKind = Type.Union([
  Type.Literal('executable'),
  Type.Literal('library'),
  Type.Literal('script'),
  Type.Literal('module'),
  Type.Literal('jar'),
]);
export type FileKind = Static<typeof FileKind>;

/**
 * Why a file counts as stale.
 * - deleted: the name the process loaded it by was unlinked (` (deleted)` in procfs).
 * - replaced: another inode stands at that path now, as the process itself sees it.
 * - renamed: the process maps a package manager's temporary name (rpm `;hex`, `.dpkg-new`).
 * - modified: same inode, but its content changed after the process started.
 * - missing: the path no longer exists in the process's root, with no deletion mark (ambiguous).
 */
export const StaleReason = Type.Union([
  Type.Literal('deleted'),
  Type.Literal('replaced'),
  Type.Literal('renamed'),
  Type.Literal('modified'),
  Type.Literal('missing'),
]);
export type StaleReason = Static<typeof StaleReason>;

export const PackageRef = Type.Object({
  name: Text,
  /** The source package when it differs (libssl3 comes from openssl): what advisories name. */
  source: Type.Optional(Text),
  installedVersion: Type.Optional(Text),
  /** The version the process still runs, when the package manager's log tells it. */
  previousVersion: Type.Optional(Text),
});
export type PackageRef = Static<typeof PackageRef>;

export const StaleFile = Type.Object({
  path: Path,
  kind: FileKind,
  reason: StaleReason,
  detail: Text,
  package: Type.Optional(PackageRef),
});
export type StaleFile = Static<typeof StaleFile>;

/**
 * Who owns a process, which decides the fix:
 * - service: restart `unit`; user-service: restart `unit` in the manager of `uid`;
 * - user-manager: re-exec the `user@UID.service` manager; pid1: `systemctl daemon-reexec`;
 * - session: the login session must end (log out), never restarted for the user;
 * - container: restart the container `containerId` with its `runtime`;
 * - scope: a transient unit (e.g. `run-u12.scope`) that cannot be restarted, only stopped;
 * - unknown: no cgroup tells; restart the process by hand.
 */
export const AttributionKind = Type.Union([
  Type.Literal('service'),
  Type.Literal('user-service'),
  Type.Literal('user-manager'),
  Type.Literal('session'),
  Type.Literal('pid1'),
  Type.Literal('container'),
  Type.Literal('scope'),
  Type.Literal('unknown'),
]);
export type AttributionKind = Static<typeof AttributionKind>;

export const ContainerRuntime = Type.Union([
  Type.Literal('docker'),
  Type.Literal('podman'),
  Type.Literal('containerd'),
  Type.Literal('cri-o'),
  Type.Literal('lxc'),
  Type.Literal('nspawn'),
  Type.Literal('unknown'),
]);
export type ContainerRuntime = Static<typeof ContainerRuntime>;

export const Attribution = Type.Object({
  kind: AttributionKind,
  unit: Type.Optional(Text),
  uid: Type.Optional(Uid),
  session: Type.Optional(Text),
  runtime: Type.Optional(ContainerRuntime),
  containerId: Type.Optional(Text),
  /** Kubernetes pod UID, when the cgroup names one. */
  podUid: Type.Optional(Text),
  /** The raw cgroup path the attribution was read from. */
  cgroup: Type.Optional(Path),
});
export type Attribution = Static<typeof Attribution>;

export const StaleProcess = Type.Object({
  pid: Pid,
  ppid: Pid,
  uid: Type.Optional(Uid),
  comm: Text,
  exe: Path,
  cmdline: Type.Array(Text, { maxItems: SCAN_REPORT_LIMITS.cmdlineArgs }),
  startedAt: Timestamp,
  /** True when the process lives in another PID namespace than the host's init. */
  inContainer: Type.Boolean(),
  attribution: Attribution,
  files: Type.Array(StaleFile, { minItems: 1, maxItems: SCAN_REPORT_LIMITS.filesPerProcess }),
});
export type StaleProcess = Static<typeof StaleProcess>;

export const RebootReasonCode = Type.Union([
  Type.Literal('kernel-newer-installed'),
  Type.Literal('kernel-rebuilt'),
  Type.Literal('kernel-modules-missing'),
  Type.Literal('reboot-required-file'),
  Type.Literal('core-package-updated'),
  Type.Literal('microcode-newer'),
]);
export type RebootReasonCode = Static<typeof RebootReasonCode>;

export const RebootReason = Type.Object({
  code: RebootReasonCode,
  message: Text,
  packages: Type.Optional(NameList),
});
export type RebootReason = Static<typeof RebootReason>;

export const KernelInfo = Type.Object({
  runningRelease: Text,
  runningVersion: Text,
  /** Installed kernel releases, newest first; empty where /boot cannot be read (containers). */
  installed: NameList,
  newestInstalled: Type.Optional(Text),
});
export type KernelInfo = Static<typeof KernelInfo>;

const ServiceAction = Type.Object({
  unit: Text,
  pids: PidList,
  packages: NameList,
  /** On the deny list: never restarted automatically, shown for a person to decide. */
  denied: Type.Boolean(),
});
const UserServiceAction = Type.Object({ unit: Text, uid: Uid, pids: PidList, packages: NameList });
const UserManagerAction = Type.Object({ uid: Uid, pids: PidList, packages: NameList });
const ContainerAction = Type.Object({
  runtime: ContainerRuntime,
  id: Text,
  podUid: Type.Optional(Text),
  pids: PidList,
  packages: NameList,
});
const SessionAction = Type.Object({
  session: Text,
  uid: Type.Optional(Uid),
  pids: PidList,
  packages: NameList,
});
const ProcessAction = Type.Object({ pid: Pid, comm: Text, unit: Type.Optional(Text), packages: NameList });

/** The report's processes grouped by the least disruptive fix for each. */
export const Actions = Type.Object({
  services: Type.Array(ServiceAction, { maxItems: SCAN_REPORT_LIMITS.listItems }),
  userServices: Type.Array(UserServiceAction, { maxItems: SCAN_REPORT_LIMITS.listItems }),
  userManagers: Type.Array(UserManagerAction, { maxItems: SCAN_REPORT_LIMITS.listItems }),
  pid1Reexec: Type.Boolean(),
  containers: Type.Array(ContainerAction, { maxItems: SCAN_REPORT_LIMITS.listItems }),
  sessions: Type.Array(SessionAction, { maxItems: SCAN_REPORT_LIMITS.listItems }),
  /** Processes with no restartable owner (transient scopes, no cgroup): restart by hand. */
  processes: Type.Array(ProcessAction, { maxItems: SCAN_REPORT_LIMITS.listItems }),
});
export type Actions = Static<typeof Actions>;

export const StalePackage = Type.Object({
  name: Text,
  source: Type.Optional(Text),
  installedVersion: Type.Optional(Text),
  previousVersion: Type.Optional(Text),
  files: Type.Array(Path, { maxItems: SCAN_REPORT_LIMITS.listItems }),
  pids: PidList,
});
export type StalePackage = Static<typeof StalePackage>;

export const UnreadableProcess = Type.Object({
  pid: Pid,
  comm: Type.Optional(Text),
  /** errno code such as EACCES, or a short description. */
  error: Text,
});
export type UnreadableProcess = Static<typeof UnreadableProcess>;

/** ok: nothing to do; restart: processes must be restarted; reboot: the host must reboot. */
export const HostStatus = Type.Union([Type.Literal('ok'), Type.Literal('restart'), Type.Literal('reboot')]);
export type HostStatus = Static<typeof HostStatus>;

export const ScanReport = Type.Object({
  schemaVersion: Type.Literal(SCAN_REPORT_SCHEMA_VERSION),
  tool: Type.Object({ name: Type.Literal('afterpatch'), version: Text }),
  host: Type.Object({
    hostname: Text,
    machineId: Type.Optional(Text),
    bootId: Type.Optional(Text),
    bootTime: Timestamp,
    os: Type.Optional(Text),
    packageManager: Type.Union([Type.Literal('dpkg'), Type.Literal('rpm'), Type.Literal('none')]),
  }),
  scan: Type.Object({
    startedAt: Timestamp,
    durationMs: Type.Number({ minimum: 0 }),
    procRoot: Path,
    root: Path,
    processesSeen: Type.Integer({ minimum: 0 }),
    processesScanned: Type.Integer({ minimum: 0 }),
    processesVanished: Type.Integer({ minimum: 0 }),
    filesChecked: Type.Integer({ minimum: 0 }),
  }),
  status: HostStatus,
  kernel: KernelInfo,
  reboot: Type.Object({
    required: Type.Boolean(),
    reasons: Type.Array(RebootReason, { maxItems: 64 }),
  }),
  processes: Type.Array(StaleProcess, { maxItems: SCAN_REPORT_LIMITS.processes }),
  actions: Actions,
  packages: Type.Array(StalePackage, { maxItems: SCAN_REPORT_LIMITS.listItems }),
  unreadable: Type.Array(UnreadableProcess, { maxItems: SCAN_REPORT_LIMITS.listItems }),
  warnings: Type.Array(Text, { maxItems: 1000 }),
});
export type ScanReport = Static<typeof ScanReport>;
