import { Principal } from '@dfinity/principal';
import { utf8ToBytes } from '@noble/hashes/utils';
import type { HashTree } from 'ic-ws-protocol';
import type { RejectCode } from '../execution/types';
import type { RequestStatus } from './request-status-store';
import { requestStatusEntry } from './state-tree';

const decoder = new TextDecoder();

/** The call a status belongs to: who sent it to which canister. */
export interface StatusOwner {
  readonly requestId: Uint8Array;
  readonly sender: Principal;
  readonly canisterId: Principal;
}

/**
 * A certified request status as the store keeps it. A devnet retains every call of the last 5 minutes (6 000
 * at 20 calls/s), and in V8 every small `Uint8Array` costs ~230 bytes of heap whatever its length, so a status
 * is one object over one byte buffer: request id, sender, canister id, then the reply, or the reject's message
 * and error code. Everything else (principals, the status, its hash-tree subtree) is built when asked for: a
 * witness, a read_state check, a replayed call. Immutable.
 */
export class RetainedStatus {
  private constructor(
    /** request id | sender | canister id | reply, or reject message | error code. */
    private readonly bytes: Uint8Array,
    private readonly idEnd: number,
    private readonly senderEnd: number,
    private readonly canisterEnd: number,
    /** Where a reject's message ends and its error code starts (`bytes.length` otherwise). */
    private readonly messageEnd: number,
    /** Which status this is. */
    readonly kind: RequestStatus['status'],
    /** A reject's code (0 otherwise). */
    private readonly rejectCode: number,
    /** Time (ns) after which the status may be forgotten; undefined while the call is not final. */
    readonly forgetAfter: bigint | undefined,
  ) {}

  /** Packs `status` of `owner`'s call. */
  static pack(owner: StatusOwner, status: RequestStatus, forgetAfter: bigint | undefined): RetainedStatus {
    const sender = owner.sender.toUint8Array();
    const canister = owner.canisterId.toUint8Array();
    let payload: Uint8Array[] = [];
    if (status.status === 'replied') payload = [status.reply];
    if (status.status === 'rejected') payload = [utf8ToBytes(status.rejectMessage), utf8ToBytes(status.errorCode)];
    const parts = [owner.requestId, sender, canister, ...payload];
    const bytes = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
    let offset = 0;
    for (const part of parts) {
      bytes.set(part, offset);
      offset += part.length;
    }
    const idEnd = owner.requestId.length;
    const senderEnd = idEnd + sender.length;
    const canisterEnd = senderEnd + canister.length;
    const messageEnd = status.status === 'rejected' ? canisterEnd + (payload[0] as Uint8Array).length : bytes.length;
    const rejectCode = status.status === 'rejected' ? status.rejectCode : 0;
    return new RetainedStatus(bytes, idEnd, senderEnd, canisterEnd, messageEnd, status.status, rejectCode, forgetAfter);
  }

  /** Whether the call is over (replied or rejected): only then is the status retained for a while and forgotten. */
  get final(): boolean {
    return this.kind === 'replied' || this.kind === 'rejected';
  }

  /** The request id: a view of the packed bytes, not to be written to. */
  get requestIdView(): Uint8Array {
    return this.bytes.subarray(0, this.idEnd);
  }

  /** The call's owner, principals and request id built afresh. */
  owner(): StatusOwner {
    return {
      requestId: this.bytes.slice(0, this.idEnd),
      sender: Principal.fromUint8Array(this.bytes.slice(this.idEnd, this.senderEnd)),
      canisterId: Principal.fromUint8Array(this.bytes.slice(this.senderEnd, this.canisterEnd)),
    };
  }

  /** The status, built afresh (a reply is a copy). */
  status(): RequestStatus {
    switch (this.kind) {
      case 'replied':
        return { status: 'replied', reply: this.bytes.slice(this.canisterEnd) };
      case 'rejected':
        return {
          status: 'rejected',
          rejectCode: this.rejectCode as RejectCode,
          rejectMessage: decoder.decode(this.bytes.subarray(this.canisterEnd, this.messageEnd)),
          errorCode: decoder.decode(this.bytes.subarray(this.messageEnd)),
        };
      default:
        return { status: this.kind };
    }
  }

  /** The subtree under `request_status/<request id>`. A reply leaf is a view of the packed bytes. */
  tree(): HashTree {
    if (this.kind === 'replied') return requestStatusEntry({ status: 'replied', reply: this.bytes.subarray(this.canisterEnd) });
    return requestStatusEntry(this.status());
  }
}
