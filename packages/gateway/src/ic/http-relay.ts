import type { Principal } from '@dfinity/principal';
import { ErrorCode, cborDecode, expectMap, type CborValue } from 'ic-ws-protocol';
import { readCallReply, type CallReply } from './call-reply';
import { GatewayError, describeError } from '../gateway-error';
import { isTransientStatus } from './transient-error';

/** Options of {@link createHttpRelay}. */
export interface HttpRelayOptions {
  icUrl: URL;
  fetch: typeof fetch;
  /** Timeout of one POST, response included. */
  timeoutMs: number;
}

/** Relays signed call envelopes: see {@link GatewayIc.relayCall}. */
export type HttpRelay = (canisterId: Principal, envelope: Uint8Array, options?: { readReply?: boolean }) => Promise<CallReply>;

const UNKNOWN: CallReply = { status: 'unknown' };

/**
 * Posts envelopes unchanged to `/api/v3/canister/<id>/call` (synchronous call), falling back for good to
 * `/api/v2/.../call` when the IC answers 404 to v3. The relay only needs to know the IC accepted the call:
 * the result reaches the client through the canister's certified messages, never through the gateway.
 */
export function createHttpRelay(options: HttpRelayOptions): HttpRelay {
  let v3Supported = true;
  return async (canisterId, envelope, relayOptions = {}) => {
    if (v3Supported) {
      const response = await post(options, 'v3', canisterId, envelope);
      if (response.status !== 404) return checkV3(response, relayOptions.readReply ? envelope : null);
      v3Supported = false;
    }
    checkV2(await post(options, 'v2', canisterId, envelope));
    return UNKNOWN;
  };
}

interface RelayResponse {
  status: number;
  body: Uint8Array;
}

/** One POST: an answer, or the error with whether posting again is safe and useful. */
type Attempt = { ok: true; response: RelayResponse } | { ok: false; error: GatewayError; retryable: boolean };

async function post(options: HttpRelayOptions, version: 'v2' | 'v3', canisterId: Principal, envelope: Uint8Array): Promise<RelayResponse> {
  let attempt = await postOnce(options, version, canisterId, envelope);
  // A connection that died before any answer (typically a keep-alive socket the IC side closed just as it
  // was reused) is retried once. Posting a signed call twice is safe: the IC keys calls by request id and
  // executes one id at most once.
  if (!attempt.ok && attempt.retryable) attempt = await postOnce(options, version, canisterId, envelope);
  if (!attempt.ok) throw attempt.error;
  return attempt.response;
}

async function postOnce(options: HttpRelayOptions, version: 'v2' | 'v3', canisterId: Principal, envelope: Uint8Array): Promise<Attempt> {
  const url = new URL(`/api/${version}/canister/${canisterId.toText()}/call`, options.icUrl);
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), options.timeoutMs);
  // Every failure here is transient: the IC may not have the call, or is still working on it, and posting
  // the same envelope again later is safe (it joins the first execution of its request id).
  const failed = (what: string, cause: unknown, retryable: boolean): Attempt => ({
    ok: false,
    error: new GatewayError(ErrorCode.RelayFailed, `relay to ${url.pathname} failed: ${what}`, { cause, transient: true }),
    retryable,
  });
  try {
    let response: Response;
    try {
      response = await options.fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/cbor' },
        body: envelope as Uint8Array<ArrayBuffer>,
        signal: abort.signal,
      });
    } catch (error) {
      // A timeout is not posted again at once: the IC may still be working on the call (the caller's backoff
      // decides when to ask again).
      if (abort.signal.aborted) return failed(`timed out after ${options.timeoutMs} ms`, error, false);
      return failed(describeError(error), error, true);
    }
    try {
      return { ok: true, response: { status: response.status, body: new Uint8Array(await response.arrayBuffer()) } };
    } catch (error) {
      // The answer broke off: the IC has the call; posting it again at once would only wait for the same outcome.
      const what = abort.signal.aborted ? `timed out after ${options.timeoutMs} ms` : describeError(error);
      return failed(`${what} (reading the answer)`, error, false);
    }
  } finally {
    clearTimeout(timer);
  }
}

function httpError(response: RelayResponse): GatewayError {
  const text = new TextDecoder().decode(response.body.subarray(0, 200));
  const transient = isTransientStatus(response.status);
  const code = transient ? ErrorCode.RelayFailed : ErrorCode.RelayRejected;
  return new GatewayError(code, `IC answered HTTP ${response.status}: ${response.status === 413 ? tooLargeReason(text) : text}`, { transient });
}

/**
 * The part of a replica's 413 text that matters ("Request <64 hex digits> is too large. Message byte size N is
 * larger than the max allowed M."): the sizes, so the reason still fits a WebSocket close frame.
 */
function tooLargeReason(text: string): string {
  return /Message byte size \d+ is larger than the max allowed \d+\./.exec(text)?.[0] ?? text;
}

// The IC's reject code SYS_TRANSIENT: refused for now (a full ingress queue, say), worth trying again.
const SYS_TRANSIENT = 2;

function checkV2(response: RelayResponse): void {
  if (response.status !== 202) throw httpError(response);
}

// v3 answers 200 with `{ status: "replied", certificate }` or `{ status: "non_replicated_rejection", ... }`,
// or 202 when the call is still being processed. With `envelope`, the certificate is read for the reply.
function checkV3(response: RelayResponse, envelope: Uint8Array | null): CallReply {
  if (response.status === 202) return UNKNOWN;
  if (response.status !== 200) throw httpError(response);
  let body: Map<CborValue, CborValue>;
  try {
    body = expectMap(cborDecode(response.body), 'v3 call answer');
  } catch (error) {
    throw new GatewayError(ErrorCode.RelayFailed, `IC answered a v3 call with malformed CBOR: ${describeError(error)}`, { cause: error });
  }
  const status = body.get('status');
  if (status === 'non_replicated_rejection') {
    const message = body.get('reject_message');
    const transient = body.get('reject_code') === SYS_TRANSIENT || body.get('reject_code') === BigInt(SYS_TRANSIENT);
    throw new GatewayError(ErrorCode.RelayRejected, `IC rejected the call: ${typeof message === 'string' ? message.slice(0, 200) : ''}`, { transient });
  }
  if (status !== 'replied') throw new GatewayError(ErrorCode.RelayFailed, `IC answered a v3 call with status ${String(status)}`);
  const certificate = body.get('certificate');
  if (envelope === null || !(certificate instanceof Uint8Array)) return UNKNOWN;
  const reply = readCallReply(certificate, envelope);
  if (reply.status === 'rejected') throw new GatewayError(ErrorCode.RelayRejected, `the canister rejected the call: ${reply.message}`);
  return reply;
}
