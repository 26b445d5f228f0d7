// The login session: the JWT from POST /api/v1/auth/login, kept in sessionStorage. Not in a
// cookie (the API takes bearer tokens only, so there is no CSRF surface), not in localStorage (a
// token that outlives the tab and is shared by every tab of the origin). sessionStorage survives
// a reload of this tab and is gone when it closes; the token also expires on the server
// (userTokenTtlSeconds). Script injection could read it, which is what the strict CSP prevents.
export type Role = 'viewer' | 'operator' | 'admin';
export interface SessionUser {
  id: string;
  username: string;
  role: Role;
}
export interface Session {
  token: string;
  expiresAt: string;
  user: SessionUser;
}

const KEY = 'afterpatch.session';
const listeners = new Set<() => void>();
let current: Session | null = load();

function load(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return null;
    const session = JSON.parse(raw) as Session;
    return new Date(session.expiresAt).getTime() > Date.now() ? session : null;
  } catch {
    return null;
  }
}

export function getSession(): Session | null {
  return current;
}

export function setSession(session: Session | null): void {
  current = session;
  if (session) sessionStorage.setItem(KEY, JSON.stringify(session));
  else sessionStorage.removeItem(KEY);
  for (const listener of listeners) listener();
}

export function onSessionChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };
export function hasRole(role: Role): boolean {
  return current !== null && RANK[current.user.role] >= RANK[role];
}
