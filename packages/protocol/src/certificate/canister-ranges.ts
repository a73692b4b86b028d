/**
 * The canister ranges a subnet delegation certifies, in the two formats the IC uses since 2025 (interface spec,
 * "Delegation" and the state tree's `canister_ranges`; dfinity/ic PR 6378, dfinity/portal PR 6049):
 *
 * - **flat**: the delegation's certificate holds `/subnet/<subnet id>/canister_ranges`, one CBOR list of
 *   `[low, high]` principal pairs. Replicas send it on the deprecated endpoints (`/api/v2/.../query`,
 *   `/api/v2/.../read_state`, `/api/v3/.../call`).
 * - **tree** (sharded): it holds `/canister_ranges/<subnet id>/<shard label>` leaves, each such a list; the
 *   label is the lowest canister id of the shard. On `/api/v3/.../query`, `/api/v3/canister/.../read_state` and
 *   `/api/v4/.../call` the replica keeps only the leaf whose label is the greatest not above the effective
 *   canister id, prunes the other shards AND prunes the flat leaf (dfinity/ic
 *   rs/http_endpoints/nns_delegation_manager, `NNSDelegationBuilder` with `CanisterRangesFilter::Tree`).
 *
 * @dfinity/agent <= 3.4.3 reads only the flat leaf; its successor @icp-sdk/core (dfinity/icp-js-core PR 1221,
 * `lookupCanisterRanges`) looks under `/canister_ranges/<subnet id>` first and falls back to the flat leaf.
 */
import type { Principal } from '@dfinity/principal';
import { cborDecode } from '../cbor/cbor-reader';
import { cborHeadLength, writeCborHead, CBOR_MAJOR_ARRAY, CBOR_MAJOR_BYTES } from '../cbor/cbor-head';
import { expectArray, expectBytes, MAX_PRINCIPAL_BYTES } from '../cbor/shape';
import { ErrorCode, ProtocolError } from '../errors';
import { flattenForks, lookupPath, lookupSubtree, NodeType, type HashTree } from '../hash-tree/hash-tree';
import { compareBytes } from '../hash-tree/label-bytes';

/** Inclusive `[low, high]` canister id ranges as raw principal bytes (the IC orders principals bytewise). */
export type CanisterRangesBytes = readonly (readonly [Uint8Array, Uint8Array])[];

/** One certified leaf of the tree format: `/canister_ranges/<subnet id>/<label>`. */
export interface CanisterRangeShard {
  /** The shard's label: the lowest canister id of its ranges. */
  readonly label: Uint8Array;
  readonly ranges: CanisterRangesBytes;
}

/** The canister ranges a delegation certificate's tree reveals for its subnet. */
export type DelegationCanisterRanges =
  /** Leaves under `/canister_ranges/<subnet id>`; `flat` is the flat leaf if the tree also reveals it. */
  | { readonly format: 'tree'; readonly shards: readonly CanisterRangeShard[]; readonly flat: CanisterRangesBytes | undefined }
  | { readonly format: 'flat'; readonly ranges: CanisterRangesBytes }
  /** Neither format is revealed: the delegation proves no canister for the subnet. */
  | { readonly format: 'none' };

/** Bytes of the CBOR list of `[low, high]` pairs, as a ranges leaf holds it (both formats use it). */
export function encodeCanisterRanges(ranges: readonly (readonly [Principal, Principal])[]): Uint8Array {
  const pairs = ranges.map(([low, high]) => [low.toUint8Array(), high.toUint8Array()] as const);
  let length = cborHeadLength(pairs.length);
  for (const [low, high] of pairs) length += 1 + cborHeadLength(low.length) + low.length + cborHeadLength(high.length) + high.length;
  const out = new Uint8Array(length);
  let at = writeCborHead(out, 0, CBOR_MAJOR_ARRAY, pairs.length);
  for (const pair of pairs) {
    at = writeCborHead(out, at, CBOR_MAJOR_ARRAY, 2);
    for (const id of pair) {
      at = writeCborHead(out, at, CBOR_MAJOR_BYTES, id.length);
      out.set(id, at);
      at += id.length;
    }
  }
  return out;
}

/**
 * Decodes a ranges leaf strictly (canonical CBOR, a list of pairs of principals, each pair `low <= high`).
 * @throws ProtocolError `CBOR_MALFORMED`, `CBOR_INVALID_SHAPE` or `FIELD_TOO_LARGE`.
 */
export function decodeCanisterRanges(bytes: Uint8Array, what = 'canister_ranges'): CanisterRangesBytes {
  return expectArray(cborDecode(bytes, { canonical: true }), what).map((item, i) => {
    const pair = expectArray(item, `${what}[${i}]`);
    if (pair.length !== 2) throw new ProtocolError(ErrorCode.CborInvalidShape, `${what}[${i}]: a range is a [low, high] pair`);
    const low = expectBytes(pair[0], `${what}[${i}][0]`, MAX_PRINCIPAL_BYTES);
    const high = expectBytes(pair[1], `${what}[${i}][1]`, MAX_PRINCIPAL_BYTES);
    if (compareBytes(low, high) > 0) throw new ProtocolError(ErrorCode.CborInvalidShape, `${what}[${i}]: low is above high`);
    return [low, high] as const;
  });
}

/** True when one of `ranges` holds `canisterId` (bounds included, principals ordered bytewise as on the IC). */
export function canisterRangesCover(ranges: CanisterRangesBytes, canisterId: Principal): boolean {
  const id = canisterId.toUint8Array();
  return ranges.some(([low, high]) => compareBytes(low, id) <= 0 && compareBytes(id, high) <= 0);
}

/**
 * The canister ranges a delegation certificate's `tree` reveals for `subnetId`, in whichever format it
 * carries: `tree` when `/canister_ranges/<subnet id>` holds at least one revealed leaf, else `flat` when
 * `/subnet/<subnet id>/canister_ranges` is revealed, else `none`. Decodes every revealed leaf strictly.
 * @throws ProtocolError when a revealed ranges leaf does not decode, or `/canister_ranges/<subnet id>` holds
 *   something other than labelled leaves.
 */
export function delegationCanisterRanges(tree: HashTree, subnetId: Principal): DelegationCanisterRanges {
  const subnet = subnetId.toUint8Array();
  const flatLeaf = lookupPath(tree, ['subnet', subnet, 'canister_ranges']);
  const flat = flatLeaf.status === 'found' ? decodeCanisterRanges(flatLeaf.value, 'subnet/<id>/canister_ranges') : undefined;
  const shardTree = lookupSubtree(tree, ['canister_ranges', subnet]);
  const shards = shardTree.status === 'found' ? revealedShards(shardTree.tree) : [];
  if (shards.length > 0) return { format: 'tree', shards, flat };
  if (flat !== undefined) return { format: 'flat', ranges: flat };
  return { format: 'none' };
}

// The revealed `<label> -> leaf` children of `/canister_ranges/<subnet id>`; pruned shards are skipped.
function revealedShards(tree: HashTree): CanisterRangeShard[] {
  const shards: CanisterRangeShard[] = [];
  for (const node of flattenForks(tree)) {
    // A pruned shard (or a pruned run of shards) is one this certificate does not reveal: nothing to read.
    if (node[0] === NodeType.Pruned || (node[0] === NodeType.Labeled && node[2][0] === NodeType.Pruned)) continue;
    if (node[0] !== NodeType.Labeled || node[2][0] !== NodeType.Leaf) {
      throw new ProtocolError(ErrorCode.CborInvalidShape, 'canister_ranges/<subnet id>: expected labelled range leaves');
    }
    shards.push({ label: node[1], ranges: decodeCanisterRanges(node[2][1], 'canister_ranges/<subnet id>/<shard>') });
  }
  return shards;
}

/**
 * Checks that a delegation's certified ranges give `canisterId` to `subnetId`, in either format; the one rule
 * every verifier uses (clients, tests).
 *
 * Tree format: any revealed shard whose ranges hold the canister proves it. This is sound whatever the label
 * selection: every leaf is a statement the root key signed ("subnet S holds these ranges"), and the label only
 * indexes the shards so that a replica can reveal one (the greatest label not above the canister id) instead
 * of all. A replica following that rule reveals the one shard that can hold the canister, so a genuine
 * certificate passes; revealing another shard proves nothing more than it says. If the flat leaf is revealed as
 * well (a replica that could not filter sends the NNS delegation as it is, with both), it must hold the
 * canister too: both come from the same routing table, so a disagreement is refused rather than resolved by
 * picking one (@icp-sdk/core reads only the tree then; being stricter costs a genuine certificate nothing).
 *
 * @throws ProtocolError `CERTIFICATE_INVALID` naming the subnet and canister when the ranges do not hold it or
 *   are missing; a decoding error of a ranges leaf as {@link delegationCanisterRanges} throws it.
 */
export function checkDelegationCoversCanister(tree: HashTree, subnetId: Principal, canisterId: Principal): DelegationCanisterRanges {
  const found = delegationCanisterRanges(tree, subnetId);
  const subnetText = subnetId.toText();
  const canisterText = canisterId.toText();
  const refuse = (why: string) => new ProtocolError(ErrorCode.CertificateInvalid, `the delegation's canister ranges ${why}`);
  switch (found.format) {
    case 'none':
      throw refuse(`for subnet ${subnetText} are not in its certificate (neither /canister_ranges/${subnetText} nor /subnet/${subnetText}/canister_ranges is revealed)`);
    case 'flat':
      if (!canisterRangesCover(found.ranges, canisterId)) throw refuse(`for subnet ${subnetText} (flat canister_ranges) do not cover canister ${canisterText}`);
      return found;
    case 'tree':
      if (!found.shards.some((shard) => canisterRangesCover(shard.ranges, canisterId))) {
        throw refuse(`for subnet ${subnetText} (canister_ranges shards) do not cover canister ${canisterText}`);
      }
      if (found.flat !== undefined && !canisterRangesCover(found.flat, canisterId)) {
        throw refuse(`for subnet ${subnetText} disagree: a canister_ranges shard covers canister ${canisterText}, the flat subnet canister_ranges leaf does not`);
      }
      return found;
  }
}
