import { CBOR_MAJOR_BYTES, CBOR_MAJOR_TEXT, cborHeadLength, writeCborHead } from './cbor-head';

/** One message of a batch, as the frame encoder needs it. */
export interface FrameFields {
  key: string;
  content: Uint8Array;
}

/**
 * Encodes the canister message frames of one `ws_get_messages` batch (docs/protocol.md section 4): the same
 * bytes as `encodeCanisterMessageFrame({ key, content, cert, tree })`, but the batch's certificate and witness
 * (about 1.5 kB, identical in every frame of the batch) are CBOR-encoded once, when the encoder is made, and
 * copied into each frame, and {@link encodeAll} writes every frame of the batch into one allocation (a
 * separate buffer per frame costs more than the copying).
 *
 * @example
 * ```ts
 * const encoder = new CanisterFrameEncoder(batch.cert, batch.tree);
 * const frames = encoder.encodeAll(batch.messages);
 * ```
 */
export class CanisterFrameEncoder {
  /** `64 "cert" <bytes cert> 64 "tree" <bytes tree>`: the frame's last two entries. */
  readonly #tail: Uint8Array;

  constructor(cert: Uint8Array, tree: Uint8Array) {
    const tail = new Uint8Array(2 * LABEL_LENGTH + cborHeadLength(cert.length) + cert.length + cborHeadLength(tree.length) + tree.length);
    let at = writeLabel(tail, 0, CERT_LABEL);
    at = writeBytes(tail, at, cert);
    at = writeLabel(tail, at, TREE_LABEL);
    writeBytes(tail, at, tree);
    this.#tail = tail;
  }

  /**
   * The frames `{ key, content, cert, tree }` of `messages`, in order: views into one new buffer, which stays
   * in memory as long as any of them does.
   * @throws ProtocolError `OUT_OF_RANGE` when a `content` is 4 GiB or more (CBOR lengths here stop at 2^32 - 1).
   */
  encodeAll(messages: readonly FrameFields[]): Uint8Array[] {
    const keys = messages.map((message) => keyBytes(message.key));
    let total = 0;
    const sizes = messages.map((message, i) => {
      const size = this.#frameLength(keys[i]!, message.content.length);
      total += size;
      return size;
    });
    const buffer = new Uint8Array(total);
    const frames: Uint8Array[] = new Array<Uint8Array>(messages.length);
    let start = 0;
    for (let i = 0; i < messages.length; i++) {
      this.#write(buffer, start, keys[i]!, messages[i]!.content);
      frames[i] = buffer.subarray(start, start + sizes[i]!);
      start += sizes[i]!;
    }
    return frames;
  }

  /** The frame of one message (see {@link encodeAll}, the cheaper way for a whole batch). */
  encode(key: string, content: Uint8Array): Uint8Array {
    return this.encodeAll([{ key, content }])[0]!;
  }

  #frameLength(key: string | Uint8Array, contentLength: number): number {
    return FRAME_PREFIX.length + cborHeadLength(key.length) + key.length + CONTENT_LABEL.length + cborHeadLength(contentLength) + contentLength + this.#tail.length;
  }

  #write(frame: Uint8Array, start: number, key: string | Uint8Array, content: Uint8Array): void {
    frame.set(FRAME_PREFIX, start);
    let at = writeCborHead(frame, start + FRAME_PREFIX.length, CBOR_MAJOR_TEXT, key.length);
    if (typeof key === 'string') {
      for (let i = 0; i < key.length; i++) frame[at + i] = key.charCodeAt(i);
    } else {
      frame.set(key, at);
    }
    at += key.length;
    frame.set(CONTENT_LABEL, at);
    at = writeBytes(frame, at + CONTENT_LABEL.length, content);
    frame.set(this.#tail, at);
  }
}

const TEXT_ENCODER = new TextEncoder();
const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
// A four-entry map, then its first key: `a4 63 "key"`.
const FRAME_PREFIX = Uint8Array.of(0xa4, CBOR_MAJOR_TEXT | 3, ...ascii('key'));
const CONTENT_LABEL = Uint8Array.of(CBOR_MAJOR_TEXT | 7, ...ascii('content'));
const CERT_LABEL = Uint8Array.of(CBOR_MAJOR_TEXT | 4, ...ascii('cert'));
const TREE_LABEL = Uint8Array.of(CBOR_MAJOR_TEXT | 4, ...ascii('tree'));
const LABEL_LENGTH = CERT_LABEL.length;

/** The key itself when it is ASCII (one byte per character, the usual case), else its UTF-8 bytes. */
function keyBytes(key: string): string | Uint8Array {
  for (let i = 0; i < key.length; i++) if (key.charCodeAt(i) > 0x7f) return TEXT_ENCODER.encode(key);
  return key;
}

function writeBytes(out: Uint8Array, at: number, bytes: Uint8Array): number {
  const start = writeCborHead(out, at, CBOR_MAJOR_BYTES, bytes.length);
  out.set(bytes, start);
  return start + bytes.length;
}

function writeLabel(out: Uint8Array, at: number, label: Uint8Array): number {
  out.set(label, at);
  return at + label.length;
}
