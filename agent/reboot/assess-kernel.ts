// Decides from the installed kernels whether the running one is out of date. Pure: takes what
// find-installed-kernels read, returns the report's KernelInfo and the reasons.
import type { KernelInfo, RebootReason } from '../../shared/scan-report.js';
import type { KernelImage } from './find-installed-kernels.js';
import { kernelFlavour } from './kernel-flavour.js';
import { limitText, listNames } from './reason-text.js';
import { compareVersions } from './version-compare.js';

export interface KernelAssessmentInput {
  runningRelease: string;
  runningVersion: string;
  images: readonly KernelImage[];
  /** Releases with a usable module tree; undefined when /lib/modules does not exist. */
  moduleTrees: readonly string[] | undefined;
}

export interface KernelAssessment {
  kernel: KernelInfo;
  reasons: RebootReason[];
}

function sameBuild(a: string, b: string): boolean {
  return a.replace(/\s+/g, ' ').trim() === b.replace(/\s+/g, ' ').trim();
}

export function assessKernel(input: KernelAssessmentInput): KernelAssessment {
  const { runningRelease, runningVersion } = input;
  const newestFirst = [...input.images].sort((a, b) => compareVersions(b.release, a.release));
  const kernel: KernelInfo = {
    runningRelease: limitText(runningRelease),
    runningVersion: limitText(runningVersion),
    installed: newestFirst.map((image) => limitText(image.release)),
  };
  // No kernel images (a container, a VM booted from an external kernel like this CI's):
  // nothing to compare with, and no module check either, so no false alarm.
  if (newestFirst.length === 0 || runningRelease === '') return { kernel, reasons: [] };

  const flavour = kernelFlavour(runningRelease);
  const sameFlavour = newestFirst.filter((image) => kernelFlavour(image.release) === flavour);
  const newest = sameFlavour[0] ?? newestFirst[0];
  if (newest) kernel.newestInstalled = limitText(newest.release);

  const reasons: RebootReason[] = [];
  const newer = sameFlavour[0];
  if (newer && compareVersions(newer.release, runningRelease) > 0) {
    reasons.push({
      code: 'kernel-newer-installed',
      message: limitText(
        `running kernel ${runningRelease}, newest installed is ${newer.release} (${newer.path}); ` +
          'the new kernel only takes effect after a reboot',
      ),
    });
  }

  const runningImage = newestFirst.find((image) => image.release === runningRelease);
  if (runningImage?.version && runningVersion !== '' && !sameBuild(runningImage.version, runningVersion)) {
    reasons.push({
      code: 'kernel-rebuilt',
      message: limitText(
        `kernel ${runningRelease} was reinstalled with a different build: running "${runningVersion}", ` +
          `${runningImage.path} is "${runningImage.version}"`,
      ),
    });
  }

  const trees = input.moduleTrees;
  if (trees !== undefined && trees.length > 0 && !trees.includes(runningRelease)) {
    reasons.push({
      code: 'kernel-modules-missing',
      message: limitText(
        `/lib/modules/${runningRelease} is missing (module trees exist only for ${listNames(trees)}): ` +
          'the running kernel can no longer load modules it has not loaded yet',
      ),
    });
  }
  return { kernel, reasons };
}
