// The afterpatch web UI: the shell (navigation, who is logged in) and the client routes. Each
// page loads its own data from the REST API; a 401 anywhere ends the session and shows the login.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { apiGet, apiPost } from './api.js';
import { AuditPage } from './pages/audit.js';
import { GroupsPage } from './pages/groups.js';
import { HostDetailPage } from './pages/host-detail.js';
import { HostsPage } from './pages/hosts.js';
import { LoginPage } from './pages/login.js';
import { NewRolloutPage } from './pages/new-rollout.js';
import { OverviewPage } from './pages/overview.js';
import { PackageHostsPage, PackagesPage } from './pages/packages.js';
import { RolloutDetailPage } from './pages/rollout-detail.js';
import { RolloutsPage } from './pages/rollouts.js';
import { interceptLinks, type Location, navigate, useLocation } from './router.js';
import { getSession, hasRole, onSessionChange, type Role, type Session, setSession } from './session.js';
import './styles.css';

// The navigation; a section appears only for the roles that can use it.
const NAV: Array<{ href: string; label: string; role: Role; match: (path: string) => boolean }> = [
  { href: '/', label: 'Overview', role: 'viewer', match: (p) => p === '/' },
  { href: '/hosts', label: 'Hosts', role: 'viewer', match: (p) => p.startsWith('/hosts') },
  { href: '/packages', label: 'Packages', role: 'viewer', match: (p) => p.startsWith('/packages') },
  {
    href: '/rollouts',
    label: 'Rollouts',
    role: 'viewer',
    match: (p) => p.startsWith('/rollouts') && p !== '/rollouts/groups',
  },
  { href: '/rollouts/groups', label: 'Groups', role: 'viewer', match: (p) => p === '/rollouts/groups' },
  { href: '/audit', label: 'Audit', role: 'admin', match: (p) => p.startsWith('/audit') },
];

function Page({ location }: { location: Location }) {
  const { path, query } = location;
  const hostId = /^\/hosts\/([0-9a-f-]{36})$/i.exec(path)?.[1];
  const packageName = /^\/packages\/(.+)$/.exec(path)?.[1];
  const rolloutId = /^\/rollouts\/([0-9a-f-]{36})$/i.exec(path)?.[1];
  if (path === '/' || path === '/login') return <OverviewPage />;
  if (path === '/hosts') return <HostsPage query={query} />;
  if (hostId) return <HostDetailPage id={hostId} />;
  if (path === '/packages') return <PackagesPage query={query} />;
  if (packageName) return <PackageHostsPage name={decodeURIComponent(packageName)} />;
  if (path === '/rollouts') return <RolloutsPage />;
  if (path === '/rollouts/groups') return <GroupsPage />;
  if (path === '/rollouts/new') {
    return hasRole('operator') ? <NewRolloutPage /> : <Forbidden needs="operator" />;
  }
  if (rolloutId) return <RolloutDetailPage id={rolloutId} />;
  if (path === '/audit') {
    return hasRole('admin') ? <AuditPage query={query} /> : <Forbidden />;
  }
  return (
    <main>
      <h1>Not found</h1>
      <p>
        Nothing lives at <code>{path}</code>. <a href="/">Back to the overview</a>.
      </p>
    </main>
  );
}

function Forbidden({ needs = 'admin' }: { needs?: Role }) {
  return (
    <main>
      <h1>Not allowed</h1>
      <p>This page needs the {needs} role.</p>
    </main>
  );
}

function Shell({ session }: { session: Session }) {
  const location = useLocation();
  useEffect(() => {
    if (location.path === '/login') navigate('/', { replace: true });
  }, [location.path]);
  // The title says where one is (for tabs and screen readers).
  useEffect(() => {
    const section = NAV.find((n) => n.match(location.path));
    document.title = `${section?.label ?? 'afterpatch'} · afterpatch`;
  }, [location.path]);
  return (
    <>
      <a class="skip" href="#content">
        Skip to content
      </a>
      <header class="topbar">
        <a class="brand" href="/">
          afterpatch
        </a>
        <nav aria-label="Main">
          {NAV.filter((n) => hasRole(n.role)).map((n) => (
            <a key={n.href} href={n.href} aria-current={n.match(location.path) ? 'page' : undefined}>
              {n.label}
            </a>
          ))}
        </nav>
        <span class="who">
          {session.user.username} <span class="tag">{session.user.role}</span>
          <button type="button" onClick={() => void logOut()}>
            Log out
          </button>
        </span>
      </header>
      <div id="content" class="content">
        <Page location={location} />
      </div>
    </>
  );
}

function App() {
  const [session, setCurrent] = useState(getSession);
  useEffect(() => onSessionChange(() => setCurrent(getSession())), []);
  // A stored session may belong to a disabled user or a changed role: ask once at start.
  useEffect(() => {
    if (!session) return;
    apiGet<Session['user']>('/api/v1/auth/me').then(
      (user) => {
        const now = getSession();
        if (now && (now.user.role !== user.role || now.user.username !== user.username))
          setSession({ ...now, user });
      },
      () => undefined,
    );
  }, [session?.token]);
  if (!session) return <LoginPage />;
  return <Shell session={session} />;
}

/** Ends the session on the server (its token is refused from then on, in every tab), then here. */
async function logOut(): Promise<void> {
  try {
    await apiPost('/api/v1/auth/logout');
  } catch {
    // The server is away or the token already expired: forgotten here all the same.
  }
  setSession(null);
}

interceptLinks();
const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(<App />, root);
}
