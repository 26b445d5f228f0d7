// What the scanner ignores, what it never restarts, and how it treats temp directories. One
// validated, frozen object built from defaults, the config file and command-line flags, in
// that order of precedence (lists from flags are added to the file's).
import type { ScanConfigFile, TempPolicy } from './config-schema.js';

export type { ScanConfigFile, TempPolicy };

export interface ScanConfig {
  readonly tempPolicy: TempPolicy;
  /** Directories treated as temporary (prefixes). */
  readonly tempDirs: readonly string[];
  /** Globs on the FILE NAME of a temp file that mark it as generated code (JIT, trampolines). */
  readonly jitPatterns: readonly string[];
  /** Globs on file paths never reported. */
  readonly ignorePaths: readonly string[];
  /** Globs on a process's comm or executable path: such processes are not reported. */
  readonly ignoreProcesses: readonly string[];
  /** Globs on unit names whose processes are not reported. */
  readonly ignoreUnits: readonly string[];
  /** Globs on unit names reported but never restarted automatically. */
  readonly denyUnits: readonly string[];
  readonly scripts: boolean;
  readonly packages: boolean;
  /** btime has one-second resolution: a file changed within this margin of the start is not "newer". */
  readonly modifiedToleranceMs: number;
}

export const DEFAULT_TEMP_DIRS = ['/tmp/', '/var/tmp/', '/run/', '/var/run/'];

/**
 * Names that generated code gets in temp dirs: libffi closures (mkostemp "ffiXXXXXX"), JNA's
 * extracted stubs, LLVM ORC JIT, PyInstaller's extraction dirs, GLib/Mesa shader caches and
 * the JVM's perf maps. A real library deployed to /tmp (libfoo.so) matches none of them.
 */
export const DEFAULT_JIT_PATTERNS = [
  'ffi??????',
  'jna*.tmp',
  'jna-*',
  'orcexec.*',
  '_MEI*',
  'mesa_shader_cache*',
  '.glXXXXXX*',
  'perf-*.map',
  'hsperfdata_*',
];

/**
 * Units whose restart ends sessions, drops the operator's connection or breaks the desktop
 * (needrestart's override list gathers the same lessons: dbus #44, systemd-logind).
 */
export const DEFAULT_DENY_UNITS = [
  'dbus.service',
  'dbus-broker.service',
  'systemd-logind.service',
  'display-manager.service',
  'gdm.service',
  'gdm3.service',
  'lightdm.service',
  'sddm.service',
  'xdm.service',
  'getty@*.service',
  'serial-getty@*.service',
  'user@*.service',
  'emergency.service',
  'rescue.service',
  'networking.service',
  'NetworkManager.service',
  'systemd-networkd.service',
  'wpa_supplicant.service',
];

export interface ScanConfigOverrides {
  tempPolicy?: TempPolicy;
  ignorePaths?: string[];
  ignoreProcesses?: string[];
  ignoreUnits?: string[];
  denyUnits?: string[];
  scripts?: boolean;
  packages?: boolean;
}

export function buildScanConfig(file: ScanConfigFile = {}, flags: ScanConfigOverrides = {}): ScanConfig {
  return Object.freeze({
    tempPolicy: flags.tempPolicy ?? file.tempPolicy ?? 'smart',
    tempDirs: Object.freeze((file.tempDirs ?? DEFAULT_TEMP_DIRS).map(withTrailingSlash)),
    jitPatterns: Object.freeze([...(file.jitPatterns ?? DEFAULT_JIT_PATTERNS)]),
    ignorePaths: Object.freeze([...(file.ignorePaths ?? []), ...(flags.ignorePaths ?? [])]),
    ignoreProcesses: Object.freeze([...(file.ignoreProcesses ?? []), ...(flags.ignoreProcesses ?? [])]),
    ignoreUnits: Object.freeze([...(file.ignoreUnits ?? []), ...(flags.ignoreUnits ?? [])]),
    denyUnits: Object.freeze([...(file.denyUnits ?? DEFAULT_DENY_UNITS), ...(flags.denyUnits ?? [])]),
    scripts: flags.scripts ?? file.scripts ?? true,
    packages: flags.packages ?? file.packages ?? true,
    modifiedToleranceMs: (file.modifiedToleranceSeconds ?? 2) * 1000,
  });
}

function withTrailingSlash(dir: string): string {
  return dir.endsWith('/') ? dir : `${dir}/`;
}
