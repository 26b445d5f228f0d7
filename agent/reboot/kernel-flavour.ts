// Which kernel "flavour" a release string belongs to. A host can have several flavours
// installed side by side (Debian `-amd64` and `-rt-amd64`, Ubuntu `-generic` and `-lowlatency`,
// RHEL `+rt` / `+debug`). A newer kernel of ANOTHER flavour is not an update of the running
// one: comparing across flavours gives false alarms (`6.1.0-21-rt-amd64` sorts after
// `6.1.0-21-amd64`).

/**
 * The flavour of a kernel release, or '' when the release follows no known scheme (Arch's
 * `6.9.3-arch1-1`, Fedora's `6.8.5-301.fc40.x86_64`, vanilla `6.9.3`).
 * - Debian/Ubuntu: `<x.y.z>-<abi>-<flavour>` and Debian's `<x.y.z>+deb13-<flavour>` /
 *   `+bpo-<flavour>` -> `amd64`, `rt-amd64`, `generic`. The `+debNN` tag is NOT part of the
 *   flavour, so a bookworm `6.1.0-21-amd64` still compares with a trixie `6.12.27+deb13-amd64`.
 * - Fedora/RHEL variants: `<release>+<variant>` -> `+rt`, `+debug`, `+64k`.
 */
export function kernelFlavour(release: string): string {
  const debian = /^\d+\.\d+(?:\.\d+)?(?:-\d+|\+[a-z0-9.~]+)-([a-z][a-z0-9-]*)$/.exec(release);
  if (debian) return debian[1] ?? '';
  const plus = release.lastIndexOf('+');
  if (plus > 0 && !release.slice(plus).includes('-')) return release.slice(plus);
  return '';
}
