/**
 * The part of the WebSocket API the client uses. The browser's `WebSocket`, `ws` and `isomorphic-ws` all
 * satisfy it, so the client never depends on one implementation (and never pulls `ws` into a browser).
 */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

/** A constructor of {@link WebSocketLike} sockets, such as the browser's `WebSocket`. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** `WebSocket.OPEN`: the only state in which `send` may be called. */
export const SOCKET_OPEN = 1;

/** `WebSocket.CLOSING`: a close frame was sent or received; the close event follows. */
export const SOCKET_CLOSING = 2;

/**
 * The bytes of a received frame, or `undefined` for a text frame or anything else that is not binary.
 * With `binaryType = 'arraybuffer'` browsers give `ArrayBuffer`; `ws` may give a `Buffer` (a Uint8Array view).
 */
export function frameBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return undefined;
}
