const utf8 = new TextEncoder();

/**
 * The IC's domain separator for `name`: one length byte followed by the UTF-8 name. Every signature the
 * interface makes or checks is over `domainSeparator(...) || payload`, so a signature for one purpose can
 * never be replayed as another.
 */
export function domainSeparator(name: string): Uint8Array {
  const bytes = utf8.encode(name);
  const out = new Uint8Array(1 + bytes.length);
  out[0] = bytes.length;
  out.set(bytes, 1);
  return out;
}

/** `"\x0Aic-request"`: prefixes the request id a sender signs. */
export const IC_REQUEST_DOMAIN = domainSeparator('ic-request');
/** `"\x0Bic-response"`: prefixes the hash of a query response a node signs. */
export const IC_RESPONSE_DOMAIN = domainSeparator('ic-response');
/** `"\x1Aic-request-auth-delegation"`: prefixes the hash of a delegation its issuer signs. */
export const IC_DELEGATION_DOMAIN = domainSeparator('ic-request-auth-delegation');
/** `"\x0Dic-state-root"`: prefixes the root hash of the state tree the subnet (root) key signs. */
export const IC_STATE_ROOT_DOMAIN = domainSeparator('ic-state-root');

