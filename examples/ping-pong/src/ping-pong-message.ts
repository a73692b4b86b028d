/**
 * The app message of ping-pong, in both directions: the client sends `Ping`, the canister answers each one
 * with a `Pong` carrying the same sequence number and timestamp, so the client can time the round trip
 * from the pong alone. Shared by the canister and the client: the Candid type is defined once.
 */
import { IDL } from '@dfinity/candid';

/** A ping's identity: its number in the run and the client's clock when it was sent. */
export interface PingStamp {
  /** 1, 2, 3, ... in the order the client sends. */
  sequence: number;
  /** The client's clock when the ping was sent, in microseconds since the epoch. */
  sent_at_us: bigint;
}

/** What travels over the socket: a `Ping` from the client, or the canister's `Pong` answer. */
export type PingPongMessage = { Ping: PingStamp } | { Pong: PingStamp };

const PingStampIdl = IDL.Record({ sequence: IDL.Nat32, sent_at_us: IDL.Nat64 });

/** Candid: `variant { Ping : PingStamp; Pong : PingStamp }`. */
// candid types every variant as Record<string, any>; the cast names the union it actually decodes to.
export const PingPongMessageIdl = IDL.Variant({ Ping: PingStampIdl, Pong: PingStampIdl }) as unknown as IDL.Type<PingPongMessage>;
