// `afterpatch agent --once`: one scan, queued in the outbox, then delivered with everything
// left from earlier runs, and exit (0: the server acknowledged everything, 1: something is
// still pending and will go with the next run). For cron, for hosts where no daemon may run,
// and for tests. Enrolment happens here too, after the scan, so a scan taken while the server
// was unreachable is kept, not lost.
import { AgentConnection } from './agent-connection.js';
import type { AgentDaemonDeps } from './agent-daemon.js';
import { connectionTimings, enrolIfNeeded, openAgentState, queueScanResult } from './agent-daemon.js';
import type { AgentError } from './agent-errors.js';
import type { AgentOptions } from './agent-options.js';
import { TokenSource } from './token-source.js';

export async function runAgentOnce(options: AgentOptions, deps: AgentDaemonDeps): Promise<number> {
  const { logger } = deps;
  const outbox = openAgentState(options, logger);
  const report = await deps.scan();
  const queued = queueScanResult(outbox, report, 'interval', logger);
  logger.info({ ...queued, status: report.status, pending: outbox.size }, 'scan queued');

  let credentials: Awaited<ReturnType<typeof enrolIfNeeded>>;
  try {
    credentials = await enrolIfNeeded(options, deps);
  } catch (err) {
    logger.error({ err, code: (err as AgentError).code, pending: outbox.size }, 'cannot enrol');
    return 1;
  }
  if (outbox.size === 0) return 0;

  let settle: (delivered: boolean) => void = () => {};
  const settled = new Promise<boolean>((resolve) => {
    settle = resolve;
  });
  const connection = new AgentConnection({
    wsUrl: options.wsUrl,
    hostId: () => credentials.hostId,
    identity: deps.identity,
    tokens: new TokenSource({
      credentials: () => credentials,
      timeoutMs: options.requestTimeoutSeconds * 1000,
    }),
    outbox,
    logger,
    ...connectionTimings(options),
    // The scan just taken answers the request already.
    onScanRequest: () => {},
    onAck: () => {
      if (outbox.size === 0) settle(true);
    },
    onCredentialRefused: () => settle(false),
    ...(deps.random ? { random: deps.random } : {}),
  });
  const deadline = setTimeout(() => settle(false), options.onceDeliverySeconds * 1000);
  connection.start();
  const delivered = await settled;
  clearTimeout(deadline);
  await connection.stop();
  if (!delivered) {
    logger.warn({ pending: outbox.size }, 'not everything was acknowledged; kept for the next run');
  }
  return delivered ? 0 : 1;
}
