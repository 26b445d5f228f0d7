// Server-pushed changes (GET /api/v1/events, Server-Sent Events). EventSource cannot send an
// Authorization header, so the session's token goes in `?access_token=` (the server strips it
// before logging). EventSource reconnects by itself after a dropped connection; when the server
// answered with an error (an expired token, a restart in progress) it gives up, so we open a new
// one after a pause. Every (re)connection calls `onEvent` with 'open': events missed while
// disconnected are caught up by reloading.
import { useEffect, useRef, useState } from 'preact/hooks';
import { getSession } from '../session.js';

export type LiveEventName = 'open' | 'rollout.changed' | 'step.changed' | 'host.changed';
export interface LiveEvent {
  name: LiveEventName;
  data: { rolloutId?: string; stepId?: string; hostId?: string; state?: string };
}
export type LiveStatus = 'connecting' | 'live' | 'reconnecting';

const RETRY_MS = 3000;

export function useLiveEvents(onEvent: (event: LiveEvent) => void): LiveStatus {
  const [status, setStatus] = useState<LiveStatus>('connecting');
  const handler = useRef(onEvent);
  handler.current = onEvent;
  useEffect(() => {
    let source: EventSource | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const connect = () => {
      const token = getSession()?.token;
      if (!token || stopped) return;
      source = new EventSource(`/api/v1/events?access_token=${encodeURIComponent(token)}`);
      source.onopen = () => {
        setStatus('live');
        handler.current({ name: 'open', data: {} });
      };
      source.onerror = () => {
        setStatus('reconnecting');
        if (source?.readyState === EventSource.CLOSED) {
          source.close();
          retry = setTimeout(connect, RETRY_MS);
        }
      };
      for (const name of ['rollout.changed', 'step.changed', 'host.changed'] as const) {
        source.addEventListener(name, (message) => {
          try {
            handler.current({ name, data: JSON.parse((message as MessageEvent<string>).data) });
          } catch {
            // a malformed frame is dropped; the next reload catches up
          }
        });
      }
    };
    connect();
    return () => {
      stopped = true;
      clearTimeout(retry);
      source?.close();
    };
  }, []);
  return status;
}

/**
 * A loader that runs at most once at a time: calls made while one runs are merged into one more
 * run afterwards (a burst of step events costs two requests, not twenty).
 */
export function coalesce(run: () => Promise<void>): () => void {
  let running = false;
  let again = false;
  const go = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        await run().catch(() => undefined);
      } while (again);
    } finally {
      running = false;
    }
  };
  return () => void go();
}

export function LiveBadge({ status }: { status: LiveStatus }) {
  const text = status === 'live' ? 'live' : status === 'connecting' ? 'connecting…' : 'reconnecting…';
  return (
    <span class={`tag live-${status}`} role="status" data-testid="live-status">
      {text}
    </span>
  );
}
