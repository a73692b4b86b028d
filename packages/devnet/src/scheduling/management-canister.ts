/**
 * The management canister (`aaaaa-aa`) as far as the devnet implements it: `raw_rand`, which ic-cdk's
 * timers and Azle's randomness seeding call. Everything else is rejected with a message saying so.
 */
import { webcrypto } from 'node:crypto';
import { ReplicaErrorCode, rejected } from '../execution/replica-errors';
import type { CallOutcome } from '../execution/types';

/** Text form of the management canister's id. */
export const MANAGEMENT_CANISTER_TEXT = 'aaaaa-aa';

/** Whether `callee` (raw principal bytes) is the management canister (the empty principal). */
export function isManagementCanister(callee: Uint8Array): boolean {
  return callee.length === 0;
}

/** Candid header of a single `vec nat8` value: DIDL, one type (vec nat8), one argument of type 0. */
const VEC_NAT8_HEADER = [0x44, 0x49, 0x44, 0x4c, 0x01, 0x6d, 0x7b, 0x01, 0x00];

/** Answers a call from a canister to the management canister. */
export function callManagementCanister(methodName: string): CallOutcome {
  if (methodName === 'raw_rand') {
    const random = webcrypto.getRandomValues(new Uint8Array(32));
    // 32 < 128, so the LEB128 length is the single byte 32.
    return { status: 'replied', reply: Uint8Array.from([...VEC_NAT8_HEADER, 32, ...random]) };
  }
  return rejected(
    4,
    ReplicaErrorCode.UnknownManagementMessage,
    `Management canister has no method '${methodName}' (ic-ws-devnet implements only raw_rand)`,
  );
}
