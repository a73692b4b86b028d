import { utf8ToBytes } from '@noble/hashes/utils';
import type { Principal } from '@dfinity/principal';
import { encodeCanisterRanges, labeledForest, leaf, type HashTree } from 'ic-ws-protocol';
import { unsignedLeb128 } from '../crypto/request-id';
import type { RequestStatus } from './request-status-store';

/** The subnet the devnet pretends to be: one subnet, its key, the canister ids it hosts, its nodes. */
export interface SubnetDescription {
  readonly subnetId: Principal;
  /** The subnet key's DER (the root key's when the devnet is the root subnet). */
  readonly publicKeyDer: Uint8Array;
  /** Inclusive `[low, high]` canister id ranges; agents refuse node keys for canisters outside them. */
  readonly canisterRanges: readonly (readonly [Principal, Principal])[];
  readonly nodes: readonly { readonly nodeId: Principal; readonly publicKeyDer: Uint8Array }[];
}

/*
 * Every label at one level of these trees is prefix-free of its siblings (`canister`, `request_status`,
 * `subnet`, `time`; `reply`, `reject_code`, ...; fixed-length ids), because @dfinity/agent's label search
 * misses a label that has a sibling which is a strict prefix of it.
 */

/** `time`: the certified time, nanoseconds as unsigned LEB128. */
export function timeSubtree(timeNs: bigint): HashTree {
  return leaf(unsignedLeb128(timeNs) as Uint8Array);
}

/** `canister/<id>/certified_data` for each canister (empty data included, as on the IC). */
export function canisterSubtree(canisters: Iterable<{ readonly id: Principal; readonly certifiedData: Uint8Array }>): HashTree {
  const entries: [Uint8Array, HashTree][] = [];
  for (const { id, certifiedData } of canisters) {
    entries.push([id.toUint8Array(), labeledForest([['certified_data', leaf(certifiedData)]])]);
  }
  return labeledForest(entries);
}

// Thousands of statuses are retained: their labels and status leaves are shared, not allocated per status
// (hash trees are immutable, so sharing is safe).
const STATUS_LABELS = {
  status: utf8ToBytes('status'),
  reply: utf8ToBytes('reply'),
  rejectCode: utf8ToBytes('reject_code'),
  rejectMessage: utf8ToBytes('reject_message'),
  errorCode: utf8ToBytes('error_code'),
};
const STATUS_LEAVES: Record<RequestStatus['status'], HashTree> = {
  received: leaf(utf8ToBytes('received')),
  processing: leaf(utf8ToBytes('processing')),
  replied: leaf(utf8ToBytes('replied')),
  rejected: leaf(utf8ToBytes('rejected')),
};

/** The subtree under `request_status/<request id>`: `{status, reply | reject_code, reject_message, error_code}`. */
export function requestStatusEntry(status: RequestStatus): HashTree {
  const fields: [Uint8Array, HashTree][] = [[STATUS_LABELS.status, STATUS_LEAVES[status.status]]];
  if (status.status === 'replied') fields.push([STATUS_LABELS.reply, leaf(status.reply)]);
  if (status.status === 'rejected') {
    fields.push(
      [STATUS_LABELS.rejectCode, leaf(unsignedLeb128(status.rejectCode) as Uint8Array)],
      [STATUS_LABELS.rejectMessage, leaf(utf8ToBytes(status.rejectMessage))],
      [STATUS_LABELS.errorCode, leaf(utf8ToBytes(status.errorCode))],
    );
  }
  return labeledForest(fields);
}

/** `subnet/<sid>/{canister_ranges, node/<node id>/public_key, public_key}`. */
export function subnetSubtree(subnet: SubnetDescription): HashTree {
  const nodes = labeledForest(
    subnet.nodes.map(({ nodeId, publicKeyDer }) => [nodeId.toUint8Array(), labeledForest([['public_key', leaf(publicKeyDer)]])] as const),
  );
  const fields = labeledForest([
    ['canister_ranges', leaf(encodeCanisterRanges(subnet.canisterRanges))],
    ['node', nodes],
    ['public_key', leaf(subnet.publicKeyDer)],
  ]);
  return labeledForest([[subnet.subnetId.toUint8Array(), fields]]);
}

/** The whole certified state tree from its four parts. */
export function stateTree(parts: {
  readonly time: HashTree;
  readonly canister: HashTree;
  readonly requestStatus: HashTree;
  readonly subnet: HashTree;
}): HashTree {
  return labeledForest([
    ['canister', parts.canister],
    ['request_status', parts.requestStatus],
    ['subnet', parts.subnet],
    ['time', parts.time],
  ]);
}
