import { requestIdOf } from '@dfinity/agent';
import { cborDecode, expectMap, hashTreeFromCbor, lookupPath } from 'ic-ws-protocol';

/** What a synchronous (v3) call's certificate says about the call. */
export type CallReply =
  | { status: 'replied'; reply: Uint8Array }
  | { status: 'rejected'; message: string }
  /** The certificate does not tell (or cannot be read); the call was accepted all the same. */
  | { status: 'unknown' };

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/**
 * Reads `request_status/<request id>/...` from the certificate of a v3 call answer, so the gateway learns
 * at once that a canister answered `ws_open` with `Err` instead of waiting for the open timeout. The
 * certificate is not verified: a lie could only make the gateway close a session early, which the IC
 * endpoint it relays to could do anyway.
 */
export function readCallReply(certificate: Uint8Array, envelope: Uint8Array): CallReply {
  try {
    // The request id hashes the content's values, so the decoded map (bytes, text, integers) is enough.
    const content = expectMap(expectMap(cborDecode(envelope), 'envelope').get('content'), 'envelope.content');
    const requestId = requestIdOf(Object.fromEntries(content) as Record<string, unknown>);
    const root = hashTreeFromCbor(expectMap(cborDecode(certificate), 'certificate').get('tree') ?? null);
    const status = lookupPath(root, ['request_status', requestId, 'status']);
    if (status.status !== 'found') return { status: 'unknown' };
    if (text(status.value) === 'replied') {
      const reply = lookupPath(root, ['request_status', requestId, 'reply']);
      return reply.status === 'found' ? { status: 'replied', reply: reply.value } : { status: 'unknown' };
    }
    if (text(status.value) === 'rejected') {
      const message = lookupPath(root, ['request_status', requestId, 'reject_message']);
      return { status: 'rejected', message: message.status === 'found' ? text(message.value).slice(0, 200) : 'rejected' };
    }
    return { status: 'unknown' };
  } catch {
    // An unreadable certificate tells us nothing; the call itself was accepted (HTTP 200).
    return { status: 'unknown' };
  }
}
