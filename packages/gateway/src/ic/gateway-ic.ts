import type { Principal } from '@dfinity/principal';
import type { CanisterOutputCertifiedMessages, ClientKey } from 'ic-ws-protocol';
import type { CallReply } from './call-reply';

/**
 * The IC as the gateway uses it: four operations, nothing else. The production implementation
 * (`createHttpGatewayIc`) talks HTTP to `icUrl`; tests hand `startGateway` a fake with the same shape.
 * Every method rejects with a `GatewayError` carrying a gateway error code.
 */
export interface GatewayIc {
  /**
   * Posts a client's signed call envelope (CBOR with tag 55799, as received) to the canister's call
   * endpoint. Resolves once the IC accepted it; rejects with `RELAY_REJECTED` when the IC refused it
   * (HTTP error status, or a rejection in the answer) and `RELAY_FAILED` when no usable answer came.
   * With `readReply`, a synchronous answer's certificate is read and the canister's reply returned (used
   * for `ws_open`, whose `Err` closes the session at once); otherwise, or when unknown, `{ status: 'unknown' }`.
   */
  relayCall(canisterId: Principal, envelope: Uint8Array, options?: { readReply?: boolean }): Promise<CallReply>;
  /** The `ws_get_messages({ nonce })` query, signed by the gateway; rejects with `POLL_FAILED`. */
  getMessages(canisterId: Principal, nonce: bigint): Promise<CanisterOutputCertifiedMessages>;
  /** The `ws_close({ client_key })` update call, signed by the gateway; rejects with `WS_CLOSE_FAILED`. */
  wsClose(canisterId: Principal, clientKey: ClientKey): Promise<void>;
  /** Resolves when the IC answers its status endpoint; backs `/readyz`. */
  checkStatus(): Promise<void>;
}
