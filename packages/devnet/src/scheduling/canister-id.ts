/**
 * Canister ids the way the IC allocates them: an 8-byte big-endian index followed by the bytes 0x01 0x01
 * (opaque-id class). Index 0 is `rwlgt-iiaaa-aaaaa-aaaaa-cai`, index 1 `rrkah-fqaaa-aaaaa-aaaaq-cai`.
 */
import { Principal } from '@dfinity/principal';

/** Canister ids the devnet allocates lie in this index range (the IC's first subnet's range). */
export const CANISTER_INDEX_RANGE = { first: 0n, last: 0xf_ffffn } as const;

/** The canister id with the given index. */
export function canisterIdFromIndex(index: bigint): Principal {
  const bytes = new Uint8Array(10);
  new DataView(bytes.buffer).setBigUint64(0, index);
  bytes[8] = 1;
  bytes[9] = 1;
  return Principal.fromUint8Array(bytes);
}

/** The devnet's canister range as `[lowest, highest]` principals (for the `canister_ranges` certificate path). */
export function canisterIdRange(): [Principal, Principal] {
  return [canisterIdFromIndex(CANISTER_INDEX_RANGE.first), canisterIdFromIndex(CANISTER_INDEX_RANGE.last)];
}
