// The agent <-> server protocol over one WebSocket per host (`/api/v1/agent/ws`). Every frame is
// one JSON envelope `{ v, type, id?, payload }`, validated against the catalog below on BOTH sides
// with the same schemas. Authentication happens before the upgrade (a short-lived agent JWT in
// the Authorization header), so no message carries credentials. Documented in docs/api.md ("The agent WebSocket").
import Type, { type Static, type TSchema } from 'typebox';
import { ScanReport } from './scan-report.js';

export const PROTOCOL_VERSION = 1;

/** Largest frame either side accepts (a full report of a very busy host fits with room). */
export const MAX_FRAME_BYTES = 4 * 1024 * 1024;

/** WebSocket close codes the server uses; 4000-4999 are application codes. */
export const CLOSE_CODES = Object.freeze({
  normal: 1000,
  goingAway: 1001,
  /** The frame was not a valid envelope, or its payload failed the schema. */
  protocolError: 4002,
  /** The envelope's version is not one this side speaks. */
  unsupportedVersion: 4003,
  /** The agent's credential was revoked, or its token expired while connected. */
  unauthorized: 4001,
  /** The agent tried to speak for another host. */
  hostMismatch: 4004,
  /** Another connection for the same host replaced this one. */
  replaced: 4005,
  /** The server is shutting down or cannot store reports now: retry with backoff. */
  tryAgainLater: 4013,
  /** Frame larger than MAX_FRAME_BYTES (the WebSocket standard code). */
  tooBig: 1009,
});

const Id = Type.String({ minLength: 1, maxLength: 64 });
const Seq = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });
const Short = Type.String({ maxLength: 256 });

// ---- agent -> server ----

/** First frame after connecting: who the agent is and what it runs. */
export const HelloPayload = Type.Object(
  {
    hostId: Id,
    agentVersion: Short,
    bootId: Short,
    kernelRelease: Short,
    hostname: Short,
    /** The highest report sequence the agent has had acknowledged, as it remembers it. */
    lastAckedSeq: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
  },
  { additionalProperties: false },
);
export type HelloPayload = Static<typeof HelloPayload>;

/**
 * A scan result. `seq` increases by one per report the agent produces and survives restarts (it
 * lives in the agent's outbox), so the server can ignore a report it already stored: sending a
 * report twice after a lost acknowledgement is harmless.
 */
export const ReportPayload = Type.Object(
  {
    hostId: Id,
    seq: Seq,
    /** Why the scan ran: interval, package-change, server-request, startup. */
    trigger: Type.Union([
      Type.Literal('startup'),
      Type.Literal('interval'),
      Type.Literal('package-change'),
      Type.Literal('server-request'),
      /** The scan an agent runs after executing a rollout step: the evidence that the fix took. */
      Type.Literal('post-step'),
    ]),
    report: ScanReport,
  },
  { additionalProperties: false },
);
export type ReportPayload = Static<typeof ReportPayload>;

/** Sent instead of a report when a scan found exactly what the last acknowledged report said. */
export const UnchangedPayload = Type.Object(
  { hostId: Id, seq: Seq, scannedAt: Type.String({ format: 'date-time', maxLength: 40 }) },
  { additionalProperties: false },
);
export type UnchangedPayload = Static<typeof UnchangedPayload>;

// ---- server -> agent ----

/** Report `seq` is stored; the agent drops it (and everything older) from its outbox. */
export const AckPayload = Type.Object({ seq: Seq }, { additionalProperties: false });
export type AckPayload = Static<typeof AckPayload>;

/** The server asks for a scan now (an operator clicked "rescan", or a rollout needs evidence). */
export const ScanRequestPayload = Type.Object(
  { requestId: Id, reason: Short },
  { additionalProperties: false },
);
export type ScanRequestPayload = Static<typeof ScanRequestPayload>;

// ---- rollout steps (server -> agent `step`, agent -> server `step-status`) ----

/** A systemd unit name as systemctl accepts it; never a path, never an option. */
const UnitName = Type.String({
  minLength: 1,
  maxLength: 256,
  pattern: '^[A-Za-z0-9:_.@\\\\][A-Za-z0-9:_.@\\\\-]*$',
});
/** A container id or name as the runtime's CLI accepts it; never an option. */
const ContainerId = Type.String({ minLength: 1, maxLength: 256, pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$' });

/** One thing to do on the host. A step lists the least disruptive set; `reboot` covers all else. */
export const StepOperation = Type.Union([
  Type.Object({ kind: Type.Literal('restart-unit'), unit: UnitName }, { additionalProperties: false }),
  Type.Object(
    {
      kind: Type.Literal('restart-container'),
      /** docker, podman, containerd, cri-o, lxc, nspawn: as the scan report's container.runtime. */
      runtime: Short,
      id: ContainerId,
    },
    { additionalProperties: false },
  ),
  Type.Object({ kind: Type.Literal('reexec-pid1') }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('reboot') }, { additionalProperties: false }),
]);
export type StepOperation = Static<typeof StepOperation>;

/**
 * A health check the agent runs after the operations, repeatedly for the hold time. A command
 * check names a command configured in the agent's own config file: the server never sends a
 * command line to run.
 */
export const HealthCheck = Type.Union([
  Type.Object(
    {
      kind: Type.Literal('http'),
      url: Type.String({ minLength: 1, maxLength: 2048, pattern: '^https?://' }),
      expectStatus: Type.Optional(Type.Integer({ minimum: 100, maximum: 599 })),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    { kind: Type.Literal('command'), name: Type.String({ minLength: 1, maxLength: 128 }) },
    { additionalProperties: false },
  ),
]);
export type HealthCheck = Static<typeof HealthCheck>;

/**
 * Execute one rollout step. The server sends it on dispatch and again on every reconnect until
 * the step is settled; the agent keeps a journal of step ids, so a step is executed at most once
 * and a repeated `step` only makes the agent re-send the step's latest status.
 */
export const StepPayload = Type.Object(
  {
    stepId: Id,
    rolloutId: Id,
    operations: Type.Array(StepOperation, { minItems: 1, maxItems: 256 }),
    /** Run the host's configured pre/post hooks (drain/undrain) around the operations. */
    hooks: Type.Boolean(),
    healthChecks: Type.Array(HealthCheck, { maxItems: 32 }),
    /** How long the health checks must stay green before the step counts as succeeded. */
    holdSec: Type.Integer({ minimum: 0, maximum: 86_400 }),
    /** The agent gives up (state failed) when the step has not succeeded by then. */
    timeoutSec: Type.Integer({ minimum: 1, maximum: 86_400 }),
  },
  { additionalProperties: false },
);
export type StepPayload = Static<typeof StepPayload>;

export const StepState = Type.Union([
  /** Received, allowed by the agent's local policy, about to run. */
  Type.Literal('accepted'),
  /** The agent's local policy forbids an operation (e.g. reboots disabled on this host). */
  Type.Literal('refused'),
  Type.Literal('running'),
  /** `systemctl reboot` was issued; the next status comes from the next boot. */
  Type.Literal('rebooting'),
  /** Operations done; post hooks, the post-step scan and the health checks are running. */
  Type.Literal('verifying'),
  Type.Literal('succeeded'),
  Type.Literal('failed'),
]);
export type StepState = Static<typeof StepState>;

export const Outcome = Type.Object(
  {
    /** What ran: "restart nginx.service", "hook pre drain-lb", "http http://127.0.0.1/healthz". */
    what: Type.String({ maxLength: 1024 }),
    ok: Type.Boolean(),
    exitCode: Type.Optional(Type.Integer()),
    /** The tail of its output or the error, for the audit trail. */
    detail: Type.String({ maxLength: 4096 }),
  },
  { additionalProperties: false },
);
export type Outcome = Static<typeof Outcome>;

/** What the agent saw: the server decides from it (and from the post-step report) that a step took. */
export const StepEvidence = Type.Object(
  {
    bootIdBefore: Type.Optional(Short),
    bootIdAfter: Type.Optional(Short),
    kernelRelease: Type.Optional(Short),
    /** The seq of the post-step scan's report (or `unchanged`), sent before this status. */
    reportSeq: Type.Optional(Seq),
    operations: Type.Optional(Type.Array(Outcome, { maxItems: 256 })),
    hooks: Type.Optional(Type.Array(Outcome, { maxItems: 64 })),
    healthChecks: Type.Optional(Type.Array(Outcome, { maxItems: 64 })),
  },
  { additionalProperties: false },
);
export type StepEvidence = Static<typeof StepEvidence>;

export const StepStatusPayload = Type.Object(
  {
    stepId: Id,
    state: StepState,
    /** One sentence for people: why it failed, what it is waiting for. */
    message: Type.String({ maxLength: 1024 }),
    at: Type.String({ format: 'date-time', maxLength: 40 }),
    evidence: Type.Optional(StepEvidence),
  },
  { additionalProperties: false },
);
export type StepStatusPayload = Static<typeof StepStatusPayload>;

/** Sent before the server closes a connection: a code from CLOSE_CODES and a sentence. */
export const ErrorPayload = Type.Object(
  { code: Type.Integer({ minimum: 1000, maximum: 4999 }), message: Short },
  { additionalProperties: false },
);
export type ErrorPayload = Static<typeof ErrorPayload>;

/** Every message type with its payload schema and its direction. */
export const MESSAGE_CATALOG = {
  hello: { from: 'agent', payload: HelloPayload },
  report: { from: 'agent', payload: ReportPayload },
  unchanged: { from: 'agent', payload: UnchangedPayload },
  ack: { from: 'server', payload: AckPayload },
  'step-status': { from: 'agent', payload: StepStatusPayload },
  'scan-request': { from: 'server', payload: ScanRequestPayload },
  step: { from: 'server', payload: StepPayload },
  error: { from: 'server', payload: ErrorPayload },
} as const satisfies Record<string, { from: 'agent' | 'server'; payload: TSchema }>;

export type MessageType = keyof typeof MESSAGE_CATALOG;
export type PayloadOf<T extends MessageType> = Static<(typeof MESSAGE_CATALOG)[T]['payload']>;

/** The envelope as it travels: validated first, then the payload against the catalog. */
export const Envelope = Type.Object(
  {
    v: Type.Integer({ minimum: 1, maximum: 1000 }),
    type: Type.String({ minLength: 1, maxLength: 32 }),
    /** Optional message id, echoed in logs. */
    id: Type.Optional(Id),
    payload: Type.Unknown(),
  },
  { additionalProperties: false },
);
export type Envelope = Static<typeof Envelope>;

export type Message = { [T in MessageType]: { type: T; id?: string; payload: PayloadOf<T> } }[MessageType];
