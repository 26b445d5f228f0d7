// Hands out the short-lived agent JWT for the next WebSocket connection. The token is reused
// while it has more than a margin of validity left (reconnect storms then cost the server no
// extra token requests) and fetched anew before it expires or after the server refused it.
import type { AgentCredentials } from './credentials-store.js';
import { type AgentToken, requestAgentToken } from './server-api.js';

export interface TokenSourceOptions {
  credentials: () => AgentCredentials;
  timeoutMs: number;
  /** A token with less validity than this left is not used for a new connection. */
  marginMs?: number;
  request?: typeof requestAgentToken;
}

export class TokenSource {
  private cached: AgentToken | undefined;
  private inFlight: Promise<AgentToken> | undefined;

  constructor(private readonly options: TokenSourceOptions) {}

  /** A valid token; throws AgentError (AP_AGENT_CREDENTIAL_INVALID when revoked). */
  async get(): Promise<string> {
    const margin = this.options.marginMs ?? 90_000;
    if (this.cached && this.cached.expiresAtMs - Date.now() > margin) return this.cached.token;
    this.inFlight ??= this.fetch().finally(() => {
      this.inFlight = undefined;
    });
    return (await this.inFlight).token;
  }

  /** Forget the token: the server refused it (expired early, host revoked, key rotated). */
  invalidate(): void {
    this.cached = undefined;
  }

  private async fetch(): Promise<AgentToken> {
    const { serverUrl, hostId, credential } = this.options.credentials();
    const request = this.options.request ?? requestAgentToken;
    this.cached = await request({ serverUrl, hostId, credential, timeoutMs: this.options.timeoutMs });
    return this.cached;
  }
}
