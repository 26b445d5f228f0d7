// Who owns a process, from its cgroup path: the systemd unit to restart, the container to
// restart, or the login session that must end. Containers are recognised first: a process in
// docker-<id>.scope is fixed by restarting that container, not containerd.service (needrestart #317).
import type { Attribution, ContainerRuntime } from '../../shared/scan-report.js';

interface ContainerMatch {
  runtime: ContainerRuntime;
  id: string;
}

// Patterns are tried against each path component; the first component that matches wins.
const CONTAINER_COMPONENTS: ReadonlyArray<{ re: RegExp; runtime: ContainerRuntime }> = [
  { re: /^docker-([0-9a-f]{12,64})\.scope$/, runtime: 'docker' },
  { re: /^libpod-(?:conmon-)?([0-9a-f]{12,64})\.scope$/, runtime: 'podman' },
  { re: /^cri-containerd-([0-9a-f]{12,64})\.scope$/, runtime: 'containerd' },
  { re: /^crio-(?:conmon-)?([0-9a-f]{12,64})\.scope$/, runtime: 'cri-o' },
  { re: /^lxc\.payload\.(.+)$/, runtime: 'lxc' },
  { re: /^lxc\.monitor\.(.+)$/, runtime: 'lxc' },
  { re: /^machine-(.+)\.scope$/, runtime: 'nspawn' },
];

// cgroupfs-driver layouts name the runtime by a parent directory: /docker/<id>, /lxc/<name>.
const CONTAINER_PARENTS: Readonly<Record<string, ContainerRuntime>> = {
  docker: 'docker',
  lxc: 'lxc',
  libpod_parent: 'podman',
};

const SYSTEMD_UNIT = /\.(?:slice|service|scope)$/;
const POD_SLICE = /^kubepods(?:-[a-z]+)?-pod([0-9a-f_-]{36})\.slice$/;
const POD_DIR = /^pod([0-9a-f-]{36})$/;
const CONTAINER_ID = /^[0-9a-f]{64}$/;

export function attributeCgroup(cgroupPath: string | undefined, isHostPid1: boolean): Attribution {
  const cgroup = cgroupPath ?? '';
  if (isHostPid1) return { kind: 'pid1', cgroup };
  if (cgroupPath === undefined || cgroupPath === '/' || cgroupPath === '') return { kind: 'unknown', cgroup };
  const parts = cgroupPath.split('/').filter((p) => p.length > 0);

  const container = findContainer(parts);
  if (container) {
    const podUid = findPodUid(parts);
    return {
      kind: 'container',
      runtime: container.runtime,
      containerId: container.id,
      cgroup,
      ...(podUid ? { podUid } : {}),
    };
  }

  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const userManager = /^user@(\d+)\.service$/.exec(part);
    if (userManager) return attributeInsideUserManager(Number(userManager[1]), parts.slice(i + 1), cgroup);
    const session = /^session-(.+)\.scope$/.exec(part);
    if (session) {
      const uid = findSliceUid(parts);
      return {
        kind: 'session',
        session: unescapeUnitName(session[1]!),
        cgroup,
        ...(uid !== undefined ? { uid } : {}),
      };
    }
    if (part === 'init.scope' && i === 0) return { kind: 'pid1', cgroup };
    if (part.endsWith('.service')) return { kind: 'service', unit: unescapeUnitName(part), cgroup };
    if (part.endsWith('.scope')) return { kind: 'scope', unit: unescapeUnitName(part), cgroup };
  }
  return { kind: 'unknown', cgroup };
}

function attributeInsideUserManager(uid: number, rest: string[], cgroup: string): Attribution {
  const first = rest[0];
  if (first === undefined || first === 'init.scope')
    return { kind: 'user-manager', uid, unit: `user@${uid}.service`, cgroup };
  for (const part of rest) {
    if (part.endsWith('.service')) return { kind: 'user-service', uid, unit: unescapeUnitName(part), cgroup };
    if (part.endsWith('.scope')) return { kind: 'scope', uid, unit: unescapeUnitName(part), cgroup };
  }
  return { kind: 'user-manager', uid, unit: `user@${uid}.service`, cgroup };
}

function findContainer(parts: string[]): ContainerMatch | undefined {
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    for (const { re, runtime } of CONTAINER_COMPONENTS) {
      const match = re.exec(part);
      if (match) return { runtime, id: unescapeUnitName(match[1]!) };
    }
    const parentRuntime = CONTAINER_PARENTS[part];
    const next = parts[i + 1];
    // A systemd unit below a directory that happens to be called "docker" or "lxc" (a slice
    // prefix, a nested hierarchy) is that unit, not a container named after it.
    if (parentRuntime && next !== undefined && !SYSTEMD_UNIT.test(next))
      return { runtime: parentRuntime, id: next };
    // Kubernetes with the cgroupfs driver: /kubepods/<qos>/pod<uid>/<container id>.
    if (POD_DIR.test(part) && next !== undefined && CONTAINER_ID.test(next)) {
      return { runtime: 'containerd', id: next };
    }
  }
  return undefined;
}

function findPodUid(parts: string[]): string | undefined {
  for (const part of parts) {
    const slice = POD_SLICE.exec(part);
    if (slice) return slice[1]!.replaceAll('_', '-');
    const dir = POD_DIR.exec(part);
    if (dir) return dir[1]!;
  }
  return undefined;
}

function findSliceUid(parts: string[]): number | undefined {
  for (const part of parts) {
    const match = /^user-(\d+)\.slice$/.exec(part);
    if (match) return Number(match[1]);
  }
  return undefined;
}

/** systemd escapes unit names with \xNN ("machine-qemu\x2d1\x2dvm.scope"). */
export function unescapeUnitName(name: string): string {
  return name.replace(/\\x([0-9a-fA-F]{2})/g, (_, hex: string) =>
    String.fromCharCode(Number.parseInt(hex, 16)),
  );
}
