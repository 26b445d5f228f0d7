// Which mapped paths can be stale code at all. Kernel pseudo-files, shared memory and devices
// never are, whatever their name says — "/memfd:x (deleted)" is how runc, crun and systemd
// re-exec themselves from a sealed memfd, and "/SYSV0000abcd (deleted)" is SysV shared memory
// even when attached with exec permission. needrestart 3.6 flags both.
import type { ScanConfig } from '../config/scan-config.js';
import { compileGlobs, type GlobMatcher } from './glob.js';

export type MappingClass =
  /** Not a filesystem path: [vdso], anon_inode:…, /[aio], anonymous huge pages. */
  | 'pseudo'
  | 'memfd'
  | 'sysv-shm'
  | 'device'
  /** GPU driver objects ("/drm mm object", "/i915"). */
  | 'gpu'
  /** Generated code in a temp directory (JIT, trampolines), per the temp policy. */
  | 'temp-generated'
  /** Ignored by the operator's ignorePaths. */
  | 'ignored'
  /** A real file: judge it. */
  | 'file';

const SYSV_SHM = /^\/SYSV[0-9a-fA-F]{8}$/;
const GPU_PREFIXES = ['/drm mm object', '/drm', '/i915', '/kfd', '/amdgpu'];
const PSEUDO_PATHS = new Set(['/anon_hugepage']);

export type MappingClassifier = (path: string) => MappingClass;

/** `path` is the mapped path with any " (deleted)" suffix already removed. */
export function createMappingClassifier(config: ScanConfig): MappingClassifier {
  const ignored: GlobMatcher = compileGlobs(config.ignorePaths);
  const generated: GlobMatcher = compileGlobs(config.jitPatterns);
  return (path) => {
    if (!path.startsWith('/')) return 'pseudo';
    if (PSEUDO_PATHS.has(path) || path.startsWith('/[')) return 'pseudo';
    if (path.startsWith('/memfd:')) return 'memfd';
    if (SYSV_SHM.test(path)) return 'sysv-shm';
    if (path.startsWith('/dev/')) return 'device';
    if (GPU_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix} `))) return 'gpu';
    if (ignored(path)) return 'ignored';
    const tempDir = config.tempDirs.find((dir) => path.startsWith(dir));
    if (tempDir !== undefined && isTempIgnored(path, config, generated)) return 'temp-generated';
    return 'file';
  };
}

function isTempIgnored(path: string, config: ScanConfig, generated: GlobMatcher): boolean {
  if (config.tempPolicy === 'ignore') return true;
  if (config.tempPolicy === 'report') return false;
  // smart: any path component with a generated-code name (the file or its extraction dir).
  return path
    .split('/')
    .slice(1)
    .some((part) => part.length > 0 && generated(part));
}
