// Decides whether the host needs a reboot, and says why: an outdated or rebuilt kernel, the
// package manager's reboot flag, core RPM packages updated since boot, newer CPU microcode.
// Every path is read under `root` / `procRoot`, so the same code runs on a live host and on a
// captured tree. A check that cannot run adds a warning; it never throws.
import type { KernelInfo, RebootReason } from '../../shared/scan-report.js';
import { assessCorePackages } from './assess-core-packages.js';
import { assessKernel } from './assess-kernel.js';
import { checkMicrocode } from './check-microcode.js';
import { checkRebootRequiredFile } from './check-reboot-required-file.js';
import { findInstalledKernels } from './find-installed-kernels.js';
import { createHostFiles } from './host-files.js';
import { queryRpmCorePackages, type RpmQueryOptions } from './query-rpm-core-packages.js';

export interface RebootCheckInput {
  /** Host filesystem root ('/' live, or a captured tree). */
  root: string;
  /** procfs location ('/proc' live). */
  procRoot: string;
  /** Real boot time: btime from /proc/stat * 1000. */
  bootTimeMs: number;
  /** `uname -r` (/proc/sys/kernel/osrelease). */
  runningRelease: string;
  /** `uname -v` (/proc/sys/kernel/version). */
  runningVersion: string;
  packageManager: 'dpkg' | 'rpm' | 'none';
  /** For tests only: where rpm is looked for and how long it may run. */
  rpm?: RpmQueryOptions;
}

export interface RebootCheckResult {
  kernel: KernelInfo;
  reasons: RebootReason[];
  warnings: string[];
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export async function checkReboot(input: RebootCheckInput): Promise<RebootCheckResult> {
  const files = createHostFiles();
  const warnings = files.warnings;
  const guard = async <T>(what: string, run: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await run();
    } catch (err) {
      warnings.push(`${what} failed: ${describe(err)}`);
      return undefined;
    }
  };

  const runningRelease = input.runningRelease.trim();
  const runningVersion = input.runningVersion.trim();
  if (runningRelease === '')
    warnings.push('the running kernel release is unknown: kernel updates were not checked');

  const [kernelPart, flagReason, rpmReason, microcodeReason] = await Promise.all([
    guard('kernel check', async () => {
      const installed = await findInstalledKernels(input.root, files);
      return assessKernel({ runningRelease, runningVersion, ...installed });
    }),
    guard('reboot-required check', () => checkRebootRequiredFile(input.root, input.bootTimeMs, files)),
    guard('core package check', async () => {
      if (input.packageManager !== 'rpm') return undefined;
      if (!Number.isFinite(input.bootTimeMs) || input.bootTimeMs <= 0) {
        warnings.push('the boot time is unknown: core package updates were not checked');
        return undefined;
      }
      const result = await queryRpmCorePackages(input.root, input.rpm);
      if (!result.ok) {
        warnings.push(result.warning);
        return undefined;
      }
      return assessCorePackages(result.packages, input.bootTimeMs);
    }),
    guard('microcode check', () => checkMicrocode(input.root, input.procRoot, files)),
  ]);

  const kernel = kernelPart?.kernel ?? { runningRelease, runningVersion, installed: [] };
  const reasons: RebootReason[] = [...(kernelPart?.reasons ?? [])];
  for (const reason of [flagReason, rpmReason, microcodeReason]) if (reason) reasons.push(reason);
  return { kernel, reasons, warnings };
}
