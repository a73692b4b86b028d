import type { Principal } from '@dfinity/principal';
import { formatOutgoingKey, type CanisterOutputCertifiedMessages, type ClientKey } from 'ic-ws-protocol';

/** One message of a fake batch: the key's nonce and the client it is for. */
export interface BatchEntry {
  nonce: bigint;
  clientKey: ClientKey;
  /** Defaults to the key's gateway. */
  gateway?: Principal;
  /** Replaces the well-formed key. */
  rawKey?: string;
}

/**
 * A `ws_get_messages` reply for tests. `content` is one byte (the nonce), `cert` and `tree` are marker
 * bytes: the gateway relays them without looking inside. `nextNonce` fills the `next_nonce` extension
 * (absent, as from a canister of the public stack, by default).
 */
export function batchOf(gateway: Principal, entries: BatchEntry[], isEndOfQueue = true, nextNonce?: bigint): CanisterOutputCertifiedMessages {
  return {
    messages: entries.map((e) => ({
      client_key: e.clientKey,
      key: e.rawKey ?? formatOutgoingKey(e.gateway ?? gateway, e.nonce),
      content: Uint8Array.of(Number(e.nonce % 256n)),
    })),
    cert: Uint8Array.of(0xce, 0x47),
    tree: Uint8Array.of(0x7e, 0xe0),
    is_end_of_queue: isEndOfQueue,
    next_nonce: nextNonce === undefined ? [] : [nextNonce],
  };
}
