// /proc/PID/cgroup: the unified hierarchy line "0::/path" (cgroup v2), else the systemd
// controller line "N:name=systemd:/path" (cgroup v1). Either names the systemd unit.

const V1_MARKER = ':name=systemd:';

export function parseCgroupPath(text: string): string | undefined {
  let unified: string | undefined;
  let systemdV1: string | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('0::')) unified = line.slice(3);
    const marker = line.indexOf(V1_MARKER);
    if (marker >= 0) systemdV1 = line.slice(marker + V1_MARKER.length);
  }
  // On hybrid hosts the unified line may stay at the root while the v1 line names the unit.
  if (unified !== undefined && (unified !== '/' || systemdV1 === undefined)) return unified;
  return systemdV1;
}
