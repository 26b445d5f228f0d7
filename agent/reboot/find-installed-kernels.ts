// Lists the kernels installed on the host: the images in /boot (every distribution) and in
// /lib/modules/<release>/vmlinuz (Fedora, Arch), each identified by the version string in its
// own header, plus the module trees in /lib/modules.
import { join } from 'node:path';
import type { HostFiles } from './host-files.js';
import { KERNEL_IMAGE_HEAD_BYTES, parseKernelImageVersion } from './kernel-image-version.js';

const MAX_DIR_ENTRIES = 1024;
const MAX_IMAGES = 64;

export interface KernelImage {
  /** `uname -r` the image boots: from its header, else from its file name. */
  release: string;
  /** `uname -v` from the header; undefined when the header could not be read (non-x86). */
  version?: string;
  /** Path on the host, e.g. `/boot/vmlinuz-6.1.0-21-amd64`. */
  path: string;
}

export interface InstalledKernels {
  /** One image per release, /boot first. */
  images: KernelImage[];
  /**
   * Releases with a usable module tree, or undefined when there is no /lib/modules at all
   * (containers, kernels built without modules).
   */
  moduleTrees: string[] | undefined;
}

// Rescue images (Fedora's vmlinuz-0-rescue-<machine-id>) and backups are not kernels the
// package manager installed as updates.
const IMAGE_NAME = /^vmlinu[xz]-(.+)$/;
const NOT_AN_UPDATE = /(?:^0-rescue-|\.old$|\.bak$|\.dpkg-[a-z]+$|\.rpm(?:save|new|orig)$|\.sig$|\.hmac$)/;
const LOOKS_LIKE_RELEASE = /^\d+\.\d+/;

function bootImageRelease(name: string): string | undefined {
  const m = IMAGE_NAME.exec(name);
  if (!m?.[1] || NOT_AN_UPDATE.test(m[1])) return undefined;
  return m[1];
}

async function readImage(
  files: HostFiles,
  root: string,
  hostPath: string,
  nameRelease: string,
): Promise<KernelImage | undefined> {
  const head = await files.readHead(join(root, hostPath), KERNEL_IMAGE_HEAD_BYTES);
  if (head === undefined) return undefined;
  const parsed = parseKernelImageVersion(head);
  if (parsed) return { release: parsed.release, version: parsed.version || undefined, path: hostPath };
  // No x86 header (arm64 Image, other architectures): fall back to the name, when it is a
  // release and not Arch's `vmlinuz-linux` package name.
  return LOOKS_LIKE_RELEASE.test(nameRelease) ? { release: nameRelease, path: hostPath } : undefined;
}

/** A module tree that can serve modprobe: leftovers of a removed kernel hold neither file. */
async function isUsableModuleTree(files: HostFiles, dir: string): Promise<boolean> {
  const entries = await files.list(dir, MAX_DIR_ENTRIES);
  return entries !== undefined && (entries.includes('modules.dep') || entries.includes('kernel'));
}

export async function findInstalledKernels(root: string, files: HostFiles): Promise<InstalledKernels> {
  const candidates: { hostPath: string; nameRelease: string }[] = [];
  for (const name of (await files.list(join(root, 'boot'), MAX_DIR_ENTRIES)) ?? []) {
    const release = bootImageRelease(name);
    if (release !== undefined) candidates.push({ hostPath: `/boot/${name}`, nameRelease: release });
  }

  // /lib is a symlink to /usr/lib on merged-/usr systems; a captured tree may keep either.
  const moduleDirs = new Map<string, string>();
  let sawModulesDir = false;
  for (const base of ['/lib/modules', '/usr/lib/modules']) {
    const names = await files.list(join(root, base), MAX_DIR_ENTRIES);
    if (names === undefined) continue;
    sawModulesDir = true;
    for (const name of names) if (!moduleDirs.has(name)) moduleDirs.set(name, `${base}/${name}`);
  }

  const moduleTrees: string[] = [];
  for (const [release, hostDir] of moduleDirs) {
    if (await isUsableModuleTree(files, join(root, hostDir))) moduleTrees.push(release);
    candidates.push({ hostPath: `${hostDir}/vmlinuz`, nameRelease: release });
  }

  const images: KernelImage[] = [];
  const seen = new Set<string>();
  for (const c of candidates) {
    if (images.length >= MAX_IMAGES) break;
    const image = await readImage(files, root, c.hostPath, c.nameRelease);
    if (image === undefined || seen.has(image.release)) continue;
    seen.add(image.release);
    images.push(image);
  }
  return { images, moduleTrees: sawModulesDir ? moduleTrees : undefined };
}
