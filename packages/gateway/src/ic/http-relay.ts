import type { Principal } from '@dfinity/principal';
import { Cbor } from '@dfinity/agent';
import { ErrorCode } from 'ic-ws-protocol';
import { GatewayError, describeError } from '../gateway-error';

/** Options of {@link createHttpRelay}. */
export interface HttpRelayOptions {
  icUrl: URL;
  fetch: typeof fetch;
  /** Timeout of one POST, response included. */
  timeoutMs: number;
}

/** Relays signed call envelopes: see {@link GatewayIc.relayCall}. */
export type HttpRelay = (canisterId: Principal, envelope: Uint8Array) => Promise<void>;

/**
 * Posts envelopes unchanged to `/api/v3/canister/<id>/call` (synchronous call), falling back for good to
 * `/api/v2/.../call` when the IC answers 404 to v3. The relay only needs to know the IC accepted the call:
 * the result reaches the client through the canister's certified messages, never through the gateway.
 */
export function createHttpRelay(options: HttpRelayOptions): HttpRelay {
  let v3Supported = true;
  return async (canisterId, envelope) => {
    if (v3Supported) {
      const response = await post(options, 'v3', canisterId, envelope);
      if (response.status !== 404) return checkV3(response);
      v3Supported = false;
    }
    return checkV2(await post(options, 'v2', canisterId, envelope));
  };
}

interface RelayResponse {
  status: number;
  body: Uint8Array;
}

async function post(options: HttpRelayOptions, version: 'v2' | 'v3', canisterId: Principal, envelope: Uint8Array): Promise<RelayResponse> {
  const url = new URL(`/api/${version}/canister/${canisterId.toText()}/call`, options.icUrl);
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), options.timeoutMs);
  try {
    const response = await options.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/cbor' },
      body: envelope as Uint8Array<ArrayBuffer>,
      signal: abort.signal,
    });
    return { status: response.status, body: new Uint8Array(await response.arrayBuffer()) };
  } catch (error) {
    const what = abort.signal.aborted ? `timed out after ${options.timeoutMs} ms` : describeError(error);
    throw new GatewayError(ErrorCode.RelayFailed, `relay to ${url.pathname} failed: ${what}`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
}

function httpError(response: RelayResponse): GatewayError {
  const text = new TextDecoder().decode(response.body.subarray(0, 200));
  const code = response.status >= 400 && response.status < 500 ? ErrorCode.RelayRejected : ErrorCode.RelayFailed;
  return new GatewayError(code, `IC answered HTTP ${response.status}: ${text}`);
}

function checkV2(response: RelayResponse): void {
  if (response.status !== 202) throw httpError(response);
}

// v3 answers 200 with `{ status: "replied", certificate }` or `{ status: "non_replicated_rejection", ... }`,
// or 202 when the call is still being processed.
function checkV3(response: RelayResponse): void {
  if (response.status === 202) return;
  if (response.status !== 200) throw httpError(response);
  let body: unknown;
  try {
    body = Cbor.decode(response.body);
  } catch (error) {
    throw new GatewayError(ErrorCode.RelayFailed, `IC answered a v3 call with malformed CBOR: ${describeError(error)}`, { cause: error });
  }
  const status = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).status : undefined;
  if (status === 'replied') return;
  if (status === 'non_replicated_rejection') {
    const message = String((body as Record<string, unknown>).reject_message ?? '').slice(0, 200);
    throw new GatewayError(ErrorCode.RelayRejected, `IC rejected the call: ${message}`);
  }
  throw new GatewayError(ErrorCode.RelayFailed, `IC answered a v3 call with status ${String(status)}`);
}
