// Hosts typed by people (hostnames or ids) → host ids, exact hostname matches only, so that a
// typo is an error rather than a different host.
import { apiGet } from '../api.js';
import type { HostSummary, Page } from '../types.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function resolveHosts(names: readonly string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const name of names) {
    if (UUID.test(name)) {
      ids.push(name);
      continue;
    }
    const page = await apiGet<Page<HostSummary>>('/api/v1/hosts', { search: name, pageSize: 200 });
    const host = page.items.find((h) => h.hostname === name);
    if (!host) throw new Error(`no host is named ${name}`);
    ids.push(host.id);
  }
  return ids;
}

/** Host ids → hostnames for display (unknown ids stay ids). */
export async function hostnamesOf(ids: readonly string[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const id of ids.slice(0, 200)) {
    try {
      names.set(id, (await apiGet<{ hostname: string }>(`/api/v1/hosts/${id}`)).hostname);
    } catch {
      // revoked or gone: shown as its id
    }
  }
  return names;
}
