// The agent <-> server protocol over one WebSocket per host (`/api/v1/agent/ws`). Every frame is
// one JSON envelope `{ v, type, id?, payload }`, validated against the catalog below on BOTH sides
// with the same schemas. Authentication happens before the upgrade (a short-lived agent JWT in
// the Authorization header), so no message carries credentials. Documented in docs/protocol.md.
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
  'scan-request': { from: 'server', payload: ScanRequestPayload },
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
