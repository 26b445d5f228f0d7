// What the web UI's end-to-end tests share: Debian's chromium driven by playwright-core (never a
// downloaded browser), a real agent daemon enrolled with a token against the test's server, and
// a patient `until` for what the server does in the background.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import type { Database } from '../../server/db/open-database.js';
import { fixturePath, repoRoot } from './paths.js';
import { createEnrollmentToken, uniqueName } from './server-app.js';

export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = join(repoRoot, 'test-artifacts', 'screenshots');
export const skipWithoutChromium = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} is missing (apt-get install chromium)`;

export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 90_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

export interface RealAgent {
  /** The host it enrolled as, once it is online and has reported. */
  host: { id: string; hostname: string };
  /** SIGTERM, and wait for it to exit (call before its state directory is removed). */
  stop(): Promise<void>;
}

/**
 * Starts the real agent daemon (bin/afterpatch.js agent: a real scan of this machine), enrolled
 * with a new token whose label `group` is unique, and waits until its host is online and reported.
 */
export async function startRealAgent(options: {
  db: Database;
  adminId: string;
  baseUrl: string;
  stateDir: string;
}): Promise<RealAgent> {
  const group = uniqueName('agent');
  const token = await createEnrollmentToken(options.db, options.adminId, { labels: { group } });
  const agent: ChildProcess = spawn(
    process.execPath,
    [
      join(repoRoot, 'bin', 'afterpatch.js'),
      'agent',
      '--server',
      options.baseUrl,
      '--state-dir',
      options.stateDir,
    ],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: {
        PATH: process.env.PATH,
        AFTERPATCH_CONFIG: fixturePath('integration', 'empty-config.json'),
        AFTERPATCH_ENROLL_TOKEN: token,
      },
    },
  );
  let log = '';
  agent.stderr?.on('data', (chunk) => {
    log += chunk;
  });
  const exited = new Promise((resolve) => agent.once('exit', resolve));
  const stop = async () => {
    agent.kill('SIGTERM');
    await exited;
  };
  try {
    const host = await until('the real agent to report', async () => {
      const row = await options.db.prisma.host.findFirst({
        where: { labels: { path: ['group'], equals: group } },
        select: { id: true, hostname: true, online: true, status: true },
      });
      return row?.online && row.status !== 'unknown' ? { id: row.id, hostname: row.hostname } : undefined;
    });
    return { host, stop };
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\nagent log:\n${log}`);
  }
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Script errors and CSP refusals seen on the page: a test asserts it stays empty. */
  pageErrors: string[];
  /** A full-page screenshot in test-artifacts/screenshots/NAME.png. */
  shot(name: string): Promise<Buffer>;
}

/** Headless chromium with its profile in `profileDir`. */
export async function openBrowser(profileDir: string): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1400, height: 1000 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  context.setDefaultTimeout(60_000);
  const page = context.pages()[0] ?? (await context.newPage());
  // Any CSP violation or script error fails the test: the page must run under the strict policy.
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content.Security.Policy|Refused/i.test(message.text()))
      pageErrors.push(message.text());
  });
  return {
    context,
    page,
    pageErrors,
    shot: (name) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true }),
  };
}

export interface UiSession extends Browser {
  /** The real agent's host, online and reported. */
  agentHost: RealAgent['host'];
  /** Closes the browser, then stops the agent. */
  close(): Promise<void>;
}

/**
 * What both UI tests start with: the real agent (its state in `dir`/state) and chromium (its
 * profile in `dir`/chromium-profile). The agent is stopped again if the browser fails to open.
 */
export async function startUiSession(options: {
  db: Database;
  adminId: string;
  baseUrl: string;
  dir: string;
}): Promise<UiSession> {
  const agent = await startRealAgent({ ...options, stateDir: join(options.dir, 'state') });
  let browser: Browser;
  try {
    browser = await openBrowser(join(options.dir, 'chromium-profile'));
  } catch (error) {
    await agent.stop();
    throw error;
  }
  return {
    ...browser,
    agentHost: agent.host,
    async close() {
      await browser.context.close();
      await agent.stop();
    },
  };
}
