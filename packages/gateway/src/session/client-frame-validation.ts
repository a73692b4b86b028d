import { IDL } from '@dfinity/candid';
import type { Principal } from '@dfinity/principal';
import {
  CanisterWsOpenArgumentsIdl,
  CloseCode,
  DEFAULT_FRAME_LIMITS,
  decodeClientRequestFrame,
  type CanisterWsOpenArguments,
  type DecodedClientRequestFrame,
} from 'ic-ws-protocol';
import { SessionTarget, type SessionCloseReason } from './session-state';

/** What a frame check decides: relay these bytes (for this target), or close the session. */
export type FrameVerdict<T> = { ok: true; value: T } | { ok: false; close: SessionCloseReason };

/** An accepted `ws_open`: who the session is for and the envelope to relay. */
export interface AcceptedOpen {
  target: SessionTarget;
  envelopeBytes: Uint8Array;
  /** The envelope's `ingress_expiry`, in epoch ms: the IC refuses it afterwards, so retrying stops there. */
  expiryMs: number;
}

/** An accepted `ws_message`: the envelope to relay and its `ingress_expiry` (epoch ms). */
export interface AcceptedMessage {
  envelopeBytes: Uint8Array;
  expiryMs: number;
}

const NS_PER_MS = 1_000_000n;

function expiryMsOf(frame: DecodedClientRequestFrame): number {
  return Number(frame.envelope.content.ingress_expiry / NS_PER_MS);
}

// A ws_open argument is ~60 bytes of Candid; refusing big ones keeps hostile blobs out of the decoder.
const MAX_WS_OPEN_ARG_BYTES = 1024;

function reject(code: CloseCode, reason: string): { ok: false; close: SessionCloseReason } {
  // A close frame's reason may hold at most 123 bytes.
  return { ok: false, close: { code, reason: truncateUtf8(reason, 123) } };
}

function decode(bytes: Uint8Array, maxPayload: number): DecodedClientRequestFrame | Error {
  try {
    // The frame is ours and read once: its envelope is relayed from the same memory, not from a copy.
    return decodeClientRequestFrame(
      bytes,
      { maxClientRequestFrameBytes: Math.max(maxPayload, DEFAULT_FRAME_LIMITS.maxClientRequestFrameBytes) },
      { reuseFrameBytes: true },
    );
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/**
 * Checks a session's first frame: a well-formed client request whose envelope calls `ws_open`, from a
 * non-anonymous sender, with an argument that names this gateway. The signature is the IC's to check.
 */
export function validateOpenFrame(bytes: Uint8Array, gatewayPrincipal: Principal, maxPayload: number): FrameVerdict<AcceptedOpen> {
  const frame = decode(bytes, maxPayload);
  if (frame instanceof Error) return reject(CloseCode.InvalidFirstFrame, `invalid first frame: ${frame.message}`);
  const { content } = frame.envelope;
  if (content.method_name !== 'ws_open') return reject(CloseCode.WrongMethod, `expected ws_open, got ${content.method_name}`);
  if (content.sender.isAnonymous()) return reject(CloseCode.WrongSender, 'the anonymous principal cannot open a session');
  const args = decodeOpenArguments(content.arg);
  if (args === null) return reject(CloseCode.InvalidEnvelope, 'ws_open argument is not CanisterWsOpenArguments');
  if (args.gateway_principal.compareTo(gatewayPrincipal) !== 'eq') {
    return reject(CloseCode.WrongGatewayPrincipal, `ws_open names gateway ${args.gateway_principal.toText()}`);
  }
  return {
    ok: true,
    value: {
      target: SessionTarget.of(content.canister_id, { client_principal: content.sender, client_nonce: args.client_nonce }),
      envelopeBytes: frame.envelopeBytes,
      expiryMs: expiryMsOf(frame),
    },
  };
}

/** Checks a later frame: a well-formed `ws_message` envelope for the session's canister, from its client. */
export function validateMessageFrame(bytes: Uint8Array, target: SessionTarget, maxPayload: number): FrameVerdict<AcceptedMessage> {
  const frame = decode(bytes, maxPayload);
  if (frame instanceof Error) return reject(CloseCode.InvalidFrame, `invalid frame: ${frame.message}`);
  const { content } = frame.envelope;
  if (content.method_name !== 'ws_message') return reject(CloseCode.WrongMethod, `expected ws_message, got ${content.method_name}`);
  if (content.canister_id.compareTo(target.canisterId) !== 'eq') {
    return reject(CloseCode.WrongCanister, `envelope for canister ${content.canister_id.toText()}`);
  }
  if (!target.isClient(content.sender)) {
    return reject(CloseCode.WrongSender, `envelope from ${content.sender.toText()}`);
  }
  return { ok: true, value: { envelopeBytes: frame.envelopeBytes, expiryMs: expiryMsOf(frame) } };
}

function decodeOpenArguments(arg: Uint8Array): CanisterWsOpenArguments | null {
  if (arg.length > MAX_WS_OPEN_ARG_BYTES) return null;
  try {
    const values = IDL.decode([CanisterWsOpenArgumentsIdl], arg);
    return values.length === 1 ? (values[0] as unknown as CanisterWsOpenArguments) : null;
  } catch {
    // Any Candid failure means the same thing here: not a ws_open argument; the caller closes the session.
    return null;
  }
}

/** Cuts `text` to at most `maxBytes` of UTF-8 without splitting a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  const encoder = new TextEncoder();
  if (encoder.encode(text).length <= maxBytes) return text;
  let out = '';
  let used = 0;
  for (const char of text) {
    const size = encoder.encode(char).length;
    if (used + size > maxBytes - 3) break;
    out += char;
    used += size;
  }
  return `${out}...`;
}
