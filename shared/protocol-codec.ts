// Encoding and decoding of protocol frames, the same code on both sides. Decoding never throws:
// it returns either a typed message or the close code and reason to end the connection with, so
// a malformed frame is answered the same way everywhere.
import { Compile } from 'typebox/compile';
import {
  CLOSE_CODES,
  Envelope,
  MAX_FRAME_BYTES,
  MESSAGE_CATALOG,
  type Message,
  type MessageType,
  type PayloadOf,
  PROTOCOL_VERSION,
} from './agent-protocol.js';

export type Sender = 'agent' | 'server';

export type DecodeResult = { ok: true; message: Message } | { ok: false; closeCode: number; reason: string };

const envelopeValidator = Compile(Envelope);
const payloadValidators = new Map(
  Object.entries(MESSAGE_CATALOG).map(([type, entry]) => [type, Compile(entry.payload)]),
);

/** Decodes one frame that `from` sent. */
export function decodeMessage(raw: string | Buffer, from: Sender): DecodeResult {
  const size = typeof raw === 'string' ? Buffer.byteLength(raw) : raw.length;
  if (size > MAX_FRAME_BYTES)
    return fail(CLOSE_CODES.tooBig, `frame of ${size} bytes exceeds ${MAX_FRAME_BYTES}`);
  let value: unknown;
  try {
    value = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
  } catch {
    return fail(CLOSE_CODES.protocolError, 'frame is not valid JSON');
  }
  if (!envelopeValidator.Check(value)) {
    return fail(CLOSE_CODES.protocolError, `invalid envelope: ${firstError(envelopeValidator, value)}`);
  }
  if (value.v !== PROTOCOL_VERSION) {
    return fail(
      CLOSE_CODES.unsupportedVersion,
      `protocol version ${value.v} not supported (speaks ${PROTOCOL_VERSION})`,
    );
  }
  const entry = (MESSAGE_CATALOG as Record<string, { from: Sender }>)[value.type];
  if (!entry) return fail(CLOSE_CODES.protocolError, `unknown message type '${value.type.slice(0, 32)}'`);
  if (entry.from !== from) return fail(CLOSE_CODES.protocolError, `a ${from} may not send '${value.type}'`);
  const validator = payloadValidators.get(value.type)!;
  if (!validator.Check(value.payload)) {
    return fail(
      CLOSE_CODES.protocolError,
      `invalid '${value.type}' payload: ${firstError(validator, value.payload)}`,
    );
  }
  const message = {
    type: value.type,
    payload: value.payload,
    ...(value.id ? { id: value.id } : {}),
  } as Message;
  return { ok: true, message };
}

/** Encodes one message; the payload type is checked at compile time, not again at run time. */
export function encodeMessage<T extends MessageType>(type: T, payload: PayloadOf<T>, id?: string): string {
  return JSON.stringify({ v: PROTOCOL_VERSION, type, ...(id ? { id } : {}), payload });
}

function fail(closeCode: number, reason: string): DecodeResult {
  // WebSocket close reasons are limited to 123 bytes.
  return { ok: false, closeCode, reason: reason.length > 120 ? `${reason.slice(0, 117)}...` : reason };
}

function firstError(
  validator: { Errors(value: unknown): Iterable<{ instancePath: string; message: string }> },
  value: unknown,
): string {
  for (const error of validator.Errors(value)) return `${error.instancePath || '/'} ${error.message}`;
  return 'does not match the schema';
}
