import type { Principal } from '@dfinity/principal';
import { cborDecode, hasSelfDescribeTag } from './cbor-reader';
import { cborWrite } from './cbor-writer';
import { encodeSignedCallEnvelope, signedCallEnvelopeFromCbor, signedCallEnvelopeToCbor, type SignedCallEnvelope } from './frames-envelope';
import { checkFrameSize, resolveFrameLimits, type FrameLimits } from './frames-limits';
import { expectBytes, expectPrincipal, expectRecord, expectText, principalBytes } from './shape';

/**
 * The three binary WebSocket frames between gateway and client (docs/protocol.md section 4). Every decoder
 * checks the frame size before decoding, accepts the self-describe tag or not, rejects unknown fields, and
 * throws only `ProtocolError`.
 */

/** Gateway -> client, the first frame after the upgrade: tells the client whose key names its messages. */
export interface HandshakeFrame {
  gateway_principal: Principal;
}

/** Client -> gateway: one signed call to relay. */
export interface ClientRequestFrame {
  envelope: SignedCallEnvelope;
}

/** A decoded client request frame plus the envelope bytes the gateway posts to the IC. */
export interface DecodedClientRequestFrame extends ClientRequestFrame {
  /**
   * The envelope as the IC's call endpoint takes it (tag 55799 + CBOR): the client's own bytes when its
   * frame is the usual `{ envelope }` encoding, a value-exact re-encoding otherwise.
   */
  envelopeBytes: Uint8Array;
}

/** Gateway -> client: one certified canister message. */
export interface CanisterMessageFrame {
  /** The outgoing key, `<gateway principal>_<20-digit nonce>`. */
  key: string;
  /** WebsocketMessage CBOR bytes, exactly as certified. */
  content: Uint8Array;
  /** The `data_certificate()` of the batch. */
  cert: Uint8Array;
  /** CBOR witness revealing `websocket/<key>`. */
  tree: Uint8Array;
}

/** Encodes the handshake frame: tagged map `{ gateway_principal: bytes }`. */
export function encodeHandshakeFrame(frame: HandshakeFrame): Uint8Array {
  return cborWrite({ gateway_principal: principalBytes(frame.gateway_principal, 'gateway_principal') }, true);
}

/** Decodes the handshake frame. @throws ProtocolError */
export function decodeHandshakeFrame(bytes: Uint8Array, limits?: Partial<FrameLimits>): HandshakeFrame {
  checkFrameSize(bytes, resolveFrameLimits(limits).maxHandshakeFrameBytes, 'handshake frame');
  const field = expectRecord(cborDecode(bytes), 'handshake frame', ['gateway_principal']);
  return { gateway_principal: expectPrincipal(field('gateway_principal'), 'gateway_principal') };
}

/** Encodes a client request frame as ic-websocket-js does: tagged map `{ envelope }`. */
export function encodeClientRequestFrame(frame: ClientRequestFrame): Uint8Array {
  return cborWrite({ envelope: signedCallEnvelopeToCbor(frame.envelope) }, true);
}

/** How {@link decodeClientRequestFrame} may treat the bytes it is given. */
export interface ClientRequestDecodeOptions {
  /**
   * Let `envelopeBytes` share the frame's memory instead of being a copy: the usual frame (`{ envelope }`
   * with an untagged envelope) gets the self-describe tag written over the last three bytes of its
   * `"envelope"` key, right before the envelope item. Only for callers that own the frame and never read it
   * again (the gateway, which holds each pending envelope once instead of twice).
   * @default false
   */
  reuseFrameBytes?: boolean;
}

/**
 * Decodes a client request frame and returns, with the typed envelope, the bytes to post to the IC.
 * @throws ProtocolError `CBOR_MALFORMED`, `CBOR_INVALID_SHAPE`, `FIELD_TOO_LARGE`, `OUT_OF_RANGE`.
 */
export function decodeClientRequestFrame(
  bytes: Uint8Array,
  limits?: Partial<FrameLimits>,
  options: ClientRequestDecodeOptions = {},
): DecodedClientRequestFrame {
  const resolved = resolveFrameLimits(limits);
  checkFrameSize(bytes, resolved.maxClientRequestFrameBytes, 'client request frame');
  const field = expectRecord(cborDecode(bytes), 'client request frame', ['envelope']);
  const envelope = signedCallEnvelopeFromCbor(field('envelope'), resolved);
  return { envelope, envelopeBytes: originalEnvelopeBytes(bytes, options.reuseFrameBytes ?? false) ?? encodeSignedCallEnvelope(envelope) };
}

// `a1 68 "envelope"`: a one-entry map whose key is the 8-byte text "envelope" in its shortest form.
const ENVELOPE_PREFIX = Uint8Array.of(0xa1, 0x68, 0x65, 0x6e, 0x76, 0x65, 0x6c, 0x6f, 0x70, 0x65);
const SELF_DESCRIBE = Uint8Array.of(0xd9, 0xd9, 0xf7);

/**
 * Posting the client's own bytes is the surest way to keep the signed request intact (and costs no
 * encoding). A frame already known to be one valid `{ envelope }` map whose head is the usual prefix has its
 * envelope item in all the remaining bytes.
 */
function originalEnvelopeBytes(frame: Uint8Array, reuse: boolean): Uint8Array | undefined {
  const start = hasSelfDescribeTag(frame) ? 3 : 0;
  for (let i = 0; i < ENVELOPE_PREFIX.length; i++) {
    if (frame[start + i] !== ENVELOPE_PREFIX[i]) return undefined;
  }
  const itemStart = start + ENVELOPE_PREFIX.length;
  const item = frame.subarray(itemStart);
  if (hasSelfDescribeTag(item)) return reuse ? item : item.slice();
  if (reuse) {
    // The prefix is decoded already and never read again: its last three bytes become the tag.
    frame.set(SELF_DESCRIBE, itemStart - SELF_DESCRIBE.length);
    return frame.subarray(itemStart - SELF_DESCRIBE.length);
  }
  const out = new Uint8Array(SELF_DESCRIBE.length + item.length);
  out.set(SELF_DESCRIBE, 0);
  out.set(item, SELF_DESCRIBE.length);
  return out;
}

/** Encodes a canister message frame: untagged map `{ key, content, cert, tree }`. */
export function encodeCanisterMessageFrame(frame: CanisterMessageFrame): Uint8Array {
  return cborWrite({ key: frame.key, content: frame.content, cert: frame.cert, tree: frame.tree });
}

/** Decodes a canister message frame (tag optional). @throws ProtocolError */
export function decodeCanisterMessageFrame(bytes: Uint8Array, limits?: Partial<FrameLimits>): CanisterMessageFrame {
  const resolved = resolveFrameLimits(limits);
  checkFrameSize(bytes, resolved.maxCanisterMessageFrameBytes, 'canister message frame');
  const field = expectRecord(cborDecode(bytes), 'canister message frame', ['key', 'content', 'cert', 'tree']);
  return {
    key: expectText(field('key'), 'key', resolved.maxKeyLength),
    content: expectBytes(field('content'), 'content'),
    cert: expectBytes(field('cert'), 'cert', resolved.maxCertificateBytes),
    tree: expectBytes(field('tree'), 'tree', resolved.maxWitnessBytes),
  };
}
